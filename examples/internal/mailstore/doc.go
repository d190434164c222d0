// Package mailstore is the one mail store the example mailserver shares
// between its protocols: an SMTP delivery agent writes into it, and the
// same value is the imap.Backend and the pop3.Backend, so that a message
// delivered over SMTP is visible at once to IMAP (IDLE included, RFC
// 2177) and POP3, and a POP3 deletion reaches IMAP sessions as EXPUNGE
// (RFC 3501 section 7.4.1). The two backends are two views of one store
// (IMAP and POP3 return them) because both interfaces name their method
// Login.
//
// Two implementations sit behind the Store interface: NewMemory keeps
// everything in memory (it wraps imap/imapmem, which already has the
// IMAP semantics), and OpenMaildir keeps mail on disk in Maildirs that
// Dovecot, Postfix and other mailserver processes share: it is glue over
// the public packages message/maildir (the store), imap/imapmaildir and
// pop3/pop3maildir (the protocols), adding the users' SCRAM verifiers.
//
// POP3 (RFC 1939) sees the user's INBOX: its UIDL is Dovecot's default,
// the message UID then the INBOX UIDVALIDITY in eight hexadecimal digits
// each, so it is stable for as long as the IMAP UIDs are; a POP3 session
// holds a lock on the maildrop (RFC 1939 section 8, RFC 2449 [IN-USE]),
// and messages deleted in the UPDATE state are expunged.
package mailstore

import (
	"context"
	"io"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/pop3"
)

// Store is a multi-user mail store served over IMAP and POP3 and fed by
// SMTP.
type Store interface {
	// IMAP is the store as the imap Server sees it.
	IMAP() imap.Backend
	// POP3 is the store as the pop3 Server sees it: each user's INBOX.
	POP3() pop3.Backend
	// Users is the table of accounts the store serves.
	Users() *Users
	// Deliver stores the message read from r in the INBOX of user (a name
	// from Users), with no flags and the current time as internal date,
	// and tells every session at once. It returns only once the message
	// is stored (durably, for a store on disk).
	Deliver(ctx context.Context, user string, r io.Reader) error
	// Close releases what the store holds open.
	Close() error
}
