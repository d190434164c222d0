package imaptest

import (
	"context"
	"strings"

	"github.com/mailwire/mailwire/imap"
)

// FailCommand answers every later command named name ("SELECT", "UID
// FETCH", ...; case does not matter) with resp as its tagged response
// instead of running it, until Reset or FailCommand(name, nil); e.g. NO
// [UNAVAILABLE] for a failure the client may retry (RFC 5530 section 3).
func (s *Server) FailCommand(name string, resp *imap.StatusResponse) {
	s.commands.Fail(strings.ToUpper(name), resp)
}

// DropOn closes the connection without a response when the next command
// named name arrives, once: the connection loss a client must survive
// (RFC 3501 section 5.5 leaves the command's outcome unknown).
func (s *Server) DropOn(name string) { s.commands.Drop(strings.ToUpper(name)) }

// commandName is the key of FailCommand and DropOn: the command's name in
// upper case, "UID FETCH" for a UID command.
func commandName(cmd imap.Command) string { return cmd.Verb.String() }

// Reset expunges every message of every mailbox, forgets the delivery
// count of WaitMessages and every fault, and keeps the users and their
// mailboxes, so that a test can reuse the server for its next case.
// Sessions that have a mailbox selected are told of the expunges (RFC
// 3501 section 7.4.1).
func (s *Server) Reset() {
	s.commands.Reset()
	s.uids.Reset()
	s.users.Each(s.emptyUser)
}

// emptyUser empties every mailbox of a user.
func (s *Server) emptyUser(ctx context.Context, name, password string) {
	u, err := s.Store.Login(ctx, nil, name, password)
	if err != nil {
		return // a password changed through Store is the caller's
	}
	boxes, _ := u.ListMailboxes(ctx)
	for _, b := range boxes {
		emptyMailbox(ctx, u, b.Name)
	}
	u.Logout(ctx)
}

// emptyMailbox marks every message \Deleted and expunges it (RFC 3501
// sections 6.4.3 and 6.4.6); a \Noselect mailbox fails to open and is
// skipped.
func emptyMailbox(ctx context.Context, u imap.User, name string) {
	mb, view, err := u.Open(ctx, name, false)
	if err != nil {
		return
	}
	defer mb.Close(ctx)
	if len(view.UIDs) == 0 {
		return
	}
	mb.Store(ctx, view.UIDs, imap.StoreFlagsAdd, []imap.Flag{imap.FlagDeleted})
	mb.Expunge(ctx, view.UIDs)
}
