package smtptest

import (
	"maps"
	"net"
	"time"

	"github.com/mailwire/mailwire/smtp"
)

// faults are the injected failures in force that options set;
// FailCommand and DropOn keep theirs in Server.commands. Reset clears
// them all. They are read and changed under Server.mu.
type faults struct {
	rejectSender map[string]*smtp.Reply
	rejectRcpt   map[string]*smtp.Reply
	failData     int
	failReply    *smtp.Reply
	delays       map[Stage]time.Duration
	drops        map[Stage]int
}

// clone returns a copy whose maps the server may change without touching
// the configuration's.
func (f faults) clone() faults {
	f.rejectSender = maps.Clone(f.rejectSender)
	f.rejectRcpt = maps.Clone(f.rejectRcpt)
	f.delays = maps.Clone(f.delays)
	f.drops = maps.Clone(f.drops)
	return f
}

// FailCommand answers every later command with verb with reply instead of
// running it, until Reset or FailCommand(verb, nil): the BeforeCommand
// hook of smtp.Server sends the reply as it is (RFC 5321 4.2), e.g. 502
// 5.5.1 for a command the server pretends not to implement, 421 4.3.2
// for a server going away (RFC 5321 3.8).
func (s *Server) FailCommand(verb smtp.Verb, reply *smtp.Reply) { s.commands.Fail(verb, reply) }

// DropOn closes the connection without a reply when the next command with
// verb arrives, once; the lost connection of RFC 5321 4.1.1.5 and 6.1.
func (s *Server) DropOn(verb smtp.Verb) { s.commands.Drop(verb) }

// commandVerb is the key of FailCommand and DropOn.
func commandVerb(cmd smtp.Command) smtp.Verb { return cmd.Verb }

// rejection returns the reply RejectSender or RejectRecipient chose for
// addr, or nil.
func (s *Server) rejection(rcpt bool, addr string) *smtp.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rcpt {
		return s.faults.rejectRcpt[addr]
	}
	return s.faults.rejectSender[addr]
}

// takeFailure returns the reply for a delivery FailNextData must refuse.
func (s *Server) takeFailure() *smtp.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.failData <= 0 {
		return nil
	}
	s.faults.failData--
	return s.faults.failReply
}

// fault applies the delay and drop configured for stage to the session of
// c. It reports whether the connection was dropped.
func (s *Server) fault(stage Stage, c *smtp.Conn) bool {
	s.mu.Lock()
	d := s.faults.delays[stage]
	s.mu.Unlock()
	if d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-s.core.Closing():
			t.Stop()
		}
	}
	s.mu.Lock()
	n := s.faults.drops[stage]
	if n > 0 {
		s.faults.drops[stage] = n - 1
	}
	s.mu.Unlock()
	if n == 0 {
		return false
	}
	if nc, ok := s.conns.Load(c.RemoteAddr().String()); ok {
		nc.(net.Conn).Close()
	}
	return true
}
