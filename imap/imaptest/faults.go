package imaptest

import (
	"context"
	"maps"
	"strings"

	"github.com/mailwire/mailwire/imap"
)

// FailCommand answers every later command named name ("SELECT", "UID
// FETCH", ...; case does not matter) with resp as its tagged response
// instead of running it, until Reset or FailCommand(name, nil); e.g. NO
// [UNAVAILABLE] for a failure the client may retry (RFC 5530 section 3).
func (s *Server) FailCommand(name string, resp *imap.StatusResponse) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name = strings.ToUpper(name)
	if resp == nil {
		delete(s.commands, name)
		return
	}
	if s.commands == nil {
		s.commands = make(map[string]*imap.StatusResponse)
	}
	s.commands[name] = resp
}

// DropOn closes the connection without a response when the next command
// named name arrives, once: the connection loss a client must survive
// (RFC 3501 section 5.5 leaves the command's outcome unknown).
func (s *Server) DropOn(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.commands == nil {
		s.commands = make(map[string]*imap.StatusResponse)
	}
	s.commands[strings.ToUpper(name)] = nil
}

// beforeCommand applies FailCommand and DropOn, then runs the hook a
// WithServer option set, if any.
func (s *Server) beforeCommand(next func(*imap.Conn, imap.Command) error) func(*imap.Conn, imap.Command) error {
	return func(c *imap.Conn, cmd imap.Command) error {
		name := cmd.Verb.String()
		s.mu.Lock()
		resp, ok := s.commands[name]
		if ok && resp == nil {
			delete(s.commands, name)
		}
		s.mu.Unlock()
		switch {
		case ok && resp == nil:
			return imap.ErrDropConnection
		case ok:
			return resp
		case next != nil:
			return next(c, cmd)
		}
		return nil
	}
}

// Reset expunges every message of every mailbox, forgets the delivery
// count of WaitMessages and every fault, and keeps the users and their
// mailboxes, so that a test can reuse the server for its next case.
// Sessions that have a mailbox selected are told of the expunges (RFC
// 3501 section 7.4.1).
func (s *Server) Reset() {
	s.mu.Lock()
	users := maps.Clone(s.passwords)
	s.commands = nil
	s.delivered = 0
	s.mu.Unlock()
	ctx := context.Background()
	for name, pw := range users {
		u, err := s.Store.Login(ctx, nil, name, pw)
		if err != nil {
			continue // a password changed through Store is the caller's
		}
		boxes, _ := u.ListMailboxes(ctx)
		for _, b := range boxes {
			emptyMailbox(ctx, u, b.Name)
		}
		u.Logout(ctx)
	}
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
