package pop3test

import (
	"context"
	"maps"

	"github.com/mailwire/mailwire/pop3"
)

// FailCommand answers every later command with verb with resp instead of
// running it, until Reset or FailCommand(verb, nil), through the
// BeforeCommand hook of pop3.Server; e.g. -ERR [SYS/TEMP] for a failure
// the client may retry (RFC 3206 section 4).
func (s *Server) FailCommand(verb pop3.Verb, resp *pop3.Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if resp == nil {
		delete(s.commands, verb)
		return
	}
	if s.commands == nil {
		s.commands = make(map[pop3.Verb]*pop3.Response)
	}
	s.commands[verb] = resp
}

// DropOn closes the connection without a response when the next command
// with verb arrives, once. A session dropped this way does not enter the
// UPDATE state, so its deletions are not applied (RFC 1939 section 6).
func (s *Server) DropOn(verb pop3.Verb) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.commands == nil {
		s.commands = make(map[pop3.Verb]*pop3.Response)
	}
	s.commands[verb] = nil
}

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
	s.mu.Lock()
	users := maps.Clone(s.passwords)
	s.deleted = make(map[string][]string)
	s.commands = nil
	s.failDelete = nil
	s.delivered = 0
	s.mu.Unlock()
	ctx := context.Background() // Reset is not tied to a session
	for name, pw := range users {
		md, err := s.Store.Login(ctx, nil, name, pw)
		if err != nil {
			continue // AddUser and Store.Login agree; a changed Store is the caller's
		}
		msgs, _ := md.Messages(ctx)
		all := make([]int, len(msgs))
		for i := range all {
			all[i] = i + 1
		}
		md.Delete(ctx, all)
		md.Close(ctx)
	}
}

// beforeCommand applies FailCommand and DropOn, then runs the hook a
// WithServer option set, if any.
func (s *Server) beforeCommand(next func(*pop3.Conn, pop3.Command) error) func(*pop3.Conn, pop3.Command) error {
	return func(c *pop3.Conn, cmd pop3.Command) error {
		s.mu.Lock()
		resp, ok := s.commands[cmd.Verb]
		if ok && resp == nil {
			delete(s.commands, cmd.Verb)
		}
		s.mu.Unlock()
		switch {
		case ok && resp == nil:
			return pop3.ErrDropConnection
		case ok:
			return resp
		case next != nil:
			return next(c, cmd)
		}
		return nil
	}
}
