package pop3test

import (
	"context"

	"github.com/mailwire/mailwire/pop3"
)

// FailCommand answers every later command with verb with resp instead of
// running it, until Reset or FailCommand(verb, nil), through the
// BeforeCommand hook of pop3.Server; e.g. -ERR [SYS/TEMP] for a failure
// the client may retry (RFC 3206 section 4).
func (s *Server) FailCommand(verb pop3.Verb, resp *pop3.Response) { s.commands.Fail(verb, resp) }

// DropOn closes the connection without a response when the next command
// with verb arrives, once. A session dropped this way does not enter the
// UPDATE state, so its deletions are not applied (RFC 1939 section 6).
func (s *Server) DropOn(verb pop3.Verb) { s.commands.Drop(verb) }

// commandVerb is the key of FailCommand and DropOn.
func commandVerb(cmd pop3.Command) pop3.Verb { return cmd.Verb }

// FailDelete makes every later UPDATE fail with err, so that QUIT answers
// -ERR and the messages stay (RFC 1939 section 6); nil or Reset ends it.
func (s *Server) FailDelete(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failDelete = err
}

// Reset empties every maildrop, forgets the record of deletions, the
// delivery count of WaitMessages and every fault, and keeps the users, so
// that a test can reuse the server for its next case. It is meant for
// when no session is logged in; one that is keeps its view until it ends.
func (s *Server) Reset() {
	s.commands.Reset()
	s.uids.Reset()
	s.mu.Lock()
	s.deleted = make(map[string][]string)
	s.failDelete = nil
	s.mu.Unlock()
	s.users.Each(s.emptyMaildrop)
}

// emptyMaildrop deletes every message of a user's maildrop, as a QUIT
// after DELE of each would (RFC 1939 section 6).
func (s *Server) emptyMaildrop(ctx context.Context, name, password string) {
	md, err := s.Store.Login(ctx, nil, name, password)
	if err != nil {
		return // AddUser and Store.Login agree; a changed Store is the caller's
	}
	msgs, _ := md.Messages(ctx)
	all := make([]int, len(msgs))
	for i := range all {
		all[i] = i + 1
	}
	md.Delete(ctx, all)
	md.Close(ctx)
}
