package main

import (
	"context"
	"io"
)

// A source is one session with a remote mailbox that mailfetch copies
// from: a POP3 maildrop (pop3source.go) or an IMAP mailbox
// (imapsource.go), whose ids are made of UIDVALIDITY and UID and whose
// Commit stores \Deleted and expunges.
type source interface {
	// Account names the mailbox in the state file, so that several
	// accounts can share one Maildir; it must not change between runs.
	Account() string
	// List returns the unique ids of the messages in the mailbox, in the
	// server's order. An id never contains a space or a line end.
	List(ctx context.Context) ([]string, error)
	// Open streams one message; ctx bounds the reading until Close.
	Open(ctx context.Context, id string) (io.ReadCloser, error)
	// Delete marks messages to be removed when the session is committed.
	Delete(ctx context.Context, ids []string) error
	// Commit ends the session and removes the marked messages.
	Commit(ctx context.Context) error
	// Close ends the session without removing anything.
	Close() error
}

// A restarter is a source whose ids can all lose their meaning at once,
// as IMAP UIDs do when the mailbox's UIDVALIDITY changes (RFC 3501
// section 2.3.1.1). The fetcher then fetches everything again, which is
// worth telling the user.
type restarter interface {
	// Restarted is given the ids the state holds for the account and
	// returns a notice when they are of an earlier numbering, else "".
	Restarted(known []string) string
}

// A flagged message stream is one that Open returns when the source keeps
// flags for its messages, as IMAP does (RFC 3501 section 2.3.2).
type flaggedStream interface {
	io.ReadCloser
	// MaildirFlags is called once the message is read to its end and
	// returns its flags as Maildir info letters in ASCII order, or "".
	MaildirFlags() string
}

// A connector opens a session with a mailbox and logs in.
type connector interface {
	Connect(ctx context.Context) (source, error)
}
