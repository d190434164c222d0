package servertest

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/netserver/attack"
)

// Session is one client connection to a server under test, read and
// written line by line.
type Session struct {
	p  *Protocol
	nc net.Conn
	br *bufio.Reader
}

// Dial connects to addr from the address ip of 127/8 (attack.DialFrom)
// with a deadline of five seconds, and returns the session without
// reading anything.
func (p *Protocol) Dial(t testing.TB, addr, ip string) *Session {
	t.Helper()
	nc, br := attack.DialFrom(t, ip, addr)
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	return &Session{p: p, nc: nc, br: br}
}

// Greeted is Dial that then reads the greeting and, when the protocol
// has one, says Hello, failing t unless both are answered as they
// should.
func (p *Protocol) Greeted(t testing.TB, addr, ip string) *Session {
	t.Helper()
	s := p.Dial(t, addr, ip)
	if !s.Greet() {
		t.Fatalf("%s: no greeting, or Hello refused", addr)
	}
	return s
}

// Raw connects to addr as Dial does, for a session that knows no
// protocol: Line, Send and Expect, but not Reply.
func Raw(t testing.TB, addr string) *Session {
	t.Helper()
	return (&Protocol{}).Dial(t, addr, "127.0.0.1")
}

// session wraps a connection that attack.Flood opened.
func (p *Protocol) session(nc net.Conn, br *bufio.Reader) *Session {
	return &Session{p: p, nc: nc, br: br}
}

// Greet reads the greeting and says Hello if the protocol has one; it
// reports whether both were answered as they should.
func (s *Session) Greet() bool {
	if !Match(s.p.Greeting, s.Line()) {
		return false
	}
	if s.p.Hello == "" {
		return true
	}
	s.Send(s.p.Hello + "\r\n")
	return Match(s.p.HelloReply, s.Reply())
}

// Send writes text as it is: whole lines end in CRLF.
func (s *Session) Send(text string) { io.WriteString(s.nc, text) }

// Line reads one line and returns it without its line end, or "" at
// the end of the stream or on an error.
func (s *Session) Line() string {
	line, _ := s.br.ReadString('\n')
	return strings.TrimRight(line, "\r\n")
}

// Expect sends send and CRLF, unless send is "", and requires each line
// that follows to match the next of want (Match).
func (s *Session) Expect(t testing.TB, send string, want ...string) {
	t.Helper()
	if send != "" {
		s.Send(send + "\r\n")
	}
	for _, w := range want {
		line, err := s.br.ReadString('\n')
		require.NoError(t, err, "want %q", w)
		line = strings.TrimSuffix(line, "\r\n")
		require.True(t, Match(w, line), "got %q, want %q", line, w)
	}
}

// Reply reads the reply to one command as the protocol does.
func (s *Session) Reply() string { return s.p.Reply(s) }

// EOF reads on and returns the error that ends the stream: io.EOF once
// the server closed it in order.
func (s *Session) EOF() error {
	_, err := s.br.ReadString('\n')
	return err
}

// LogIn logs in as user with pass by m and returns the reply that tells
// whether it worked, or "" when a step was not answered as it should.
func (s *Session) LogIn(m Method, user, pass string) string {
	s.Send(m.Send(user, pass))
	for _, step := range m.Steps {
		if !Match(step, s.Reply()) {
			return ""
		}
	}
	return s.Reply()
}

// Conn returns the connection and its reader, for attack.Trickle.
func (s *Session) Conn() (net.Conn, *bufio.Reader) { return s.nc, s.br }
