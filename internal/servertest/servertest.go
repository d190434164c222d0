// Package servertest holds the tests that the SMTP, POP3 and IMAP servers
// share, written once: each behaviour the three have alike (the
// failed-login delay, the connection limits, the login timeout, the
// BeforeCommand hook, the lingering close, the failure limits) is a
// function here, a family, that drives one protocol's server through a
// Protocol, the short description its package's tests supply: how to
// start the server, how a client greets and logs in, and the exact lines
// the server answers with. Each package's test then names its RFC
// section and calls the family.
//
// The SASL families (SCRAM, EXTERNAL, OAUTHBEARER) run a protocol's own
// Client, described by SASL, against its Server. The pieces the
// packages' other server tests share are here too: a Session on a raw
// connection, the transcript runner (Transcripts), the in-memory fuzz
// session (FuzzSessions, FuzzRun), a log handler that counts panics, the
// EXTERNAL and OAUTHBEARER side of a test backend (CertToken), the
// out-of-range check of a state table (Unchanged).
//
// It is test support: only _test.go files import it, and it imports no
// protocol package, so that each can use it from its own tests.
package servertest

import (
	"bufio"
	"context"
	"io"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/netserver/attack"
)

// Protocol describes one protocol's server to the families. The backend
// behind Start accepts the users alice and bob with the password
// "secret", and nobody else.
type Protocol struct {
	// Start serves a new server, with cfg applied to it (Config.Apply),
	// on 127.0.0.1 until t ends; Serve does the serving.
	Start func(t *testing.T, cfg Config) *Server

	// Greeting matches the greeting (see Match): "+OK*".
	Greeting string
	// Hello, unless "", is the command a client sends after the greeting
	// and before anything else (SMTP's EHLO, RFC 5321 section 4.1.1.1),
	// and HelloReply matches its reply.
	Hello, HelloReply string
	// Reply reads the reply to one command and returns the line that
	// ends it (the tagged line in IMAP, the last line of a multiline
	// SMTP reply) without its CRLF, or "" when the connection ended.
	Reply func(*Session) string

	// Login logs in with a user name and password in the protocol's own
	// way (IMAP LOGIN, POP3 USER and PASS, SMTP AUTH PLAIN); AuthPlain
	// with SASL PLAIN and an initial response (RFC 4616).
	Login, AuthPlain Method
	// Guesses are all the ways a client can guess a password, each
	// flooded in turn; the first is the one the families queue.
	Guesses []Method
	// LoggedIn and Failed match the replies to a login that succeeded
	// and to one that failed.
	LoggedIn, Failed string

	// Noop is a command that changes nothing; NoopReply matches its
	// reply once logged in and NoopBeforeLogin before.
	Noop, NoopReply, NoopBeforeLogin string
	// Junk is a line the server refuses as no command at all.
	Junk string

	// The lines with which the server ends a session, exactly; "" for a
	// session closed without a word.
	Lines Lines
	// NoLoginPhase says that the server serves clients that never log
	// in (SMTP on port 25), so that LoginTimeout does not apply to it.
	NoLoginPhase bool
	// Hooks are the BeforeCommand cases (see BeforeCommand).
	Hooks Hooks
	// Sections are the RFC sections that the families' subtests are
	// named after.
	Sections Sections
}

// Sections name the RFC sections that govern the families in one
// protocol, as a test name ends: "RFC9051_11_7".
type Sections struct {
	// Delay governs the failed-login delay; Connections the refusal of a
	// client over a connection limit.
	Delay, Connections string
	// LoginTimeout governs the time to log in; Closing a session the
	// server ends, with the line it says; AuthFailures the end of a
	// session that failed to log in too often.
	LoginTimeout, Closing, AuthFailures string
}

// Lines are the exact lines with which a server ends a session.
type Lines struct {
	// TooManyConnections refuses a client over MaxConnections or
	// MaxConnectionsPerAddr; Evicted closes the oldest session not logged
	// in to make room for a new one.
	TooManyConnections, Evicted string
	// LoginTimeout closes a session that did not log in in time;
	// ShuttingDown is said by Shutdown.
	LoginTimeout, ShuttingDown string
	// TooManyErrors follows the refusal that reached MaxErrors (Match:
	// it may end in "*"); TooManyAuthFailures follows the failed login
	// that reached MaxAuthFailures.
	TooManyErrors, TooManyAuthFailures string
}

// A Method is one way of logging in.
type Method struct {
	// Name names it in subtests: "APOP".
	Name string
	// Send returns what a client sends to log in as user with pass,
	// CRLF included.
	Send func(user, pass string) string
	// Steps match, in order, the replies that come before the one that
	// tells whether the login succeeded: POP3's answer to USER.
	Steps []string
}

// Server is a server that a Protocol's Start serves.
type Server struct {
	// Addr is where it listens.
	Addr string
	// Tries counts the logins its backend checked.
	Tries func() int64
	// Shutdown is the server's own.
	Shutdown func(context.Context) error
}

// Servable is what the three protocols' Server types have in common.
type Servable interface {
	Serve(net.Listener) error
	Shutdown(context.Context) error
	Close() error
}

// Serve serves srv on a new listener on 127.0.0.1 until t ends, and
// returns its address.
func Serve(t testing.TB, srv Servable) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

// Start applies cfg to srv, serves it until t ends (Serve) and returns it
// as a Server whose backend counts its logins with tries.
func Start(t testing.TB, cfg Config, srv Servable, tries func() int64) *Server {
	t.Helper()
	cfg.Apply(srv)
	return &Server{Addr: Serve(t, srv), Tries: tries, Shutdown: srv.Shutdown}
}

// Config is what the families change in a server. Each field that is
// not zero is set on the Server's field of the same name by Apply.
type Config struct {
	// The limits, as the Servers' fields of the same names document them.
	AuthFailureDelay, MaxAuthFailureDelay, AuthFailureReset    time.Duration
	LoginTimeout                                               time.Duration
	MaxConnections, MaxConnectionsPerAddr, MaxAuthFailureAddrs int
	MaxErrors, MaxAuthFailures, MaxAuthLineLength              int
	// BeforeCommand, when set, becomes the Server's BeforeCommand hook:
	// it is called with the command's Verb field and the command.
	BeforeCommand func(verb, cmd any) error
}

// Apply sets the fields of srv, a pointer to a Server, named as the
// fields of c that are not zero.
func (c Config) Apply(srv any) {
	dst := reflect.ValueOf(srv).Elem()
	src := reflect.ValueOf(c)
	for i := range src.NumField() {
		name := src.Type().Field(i).Name
		switch {
		case src.Field(i).IsZero():
		case name == "BeforeCommand":
			f := dst.FieldByName(name)
			f.Set(reflect.MakeFunc(f.Type(), hook(c.BeforeCommand)))
		default:
			dst.FieldByName(name).Set(src.Field(i))
		}
	}
}

// hook adapts h to a protocol's BeforeCommand, func(*Conn, Command) error.
func hook(h func(verb, cmd any) error) func([]reflect.Value) []reflect.Value {
	return func(args []reflect.Value) []reflect.Value {
		cmd := args[1]
		err := h(cmd.FieldByName("Verb").Interface(), cmd.Interface())
		out := reflect.New(reflect.TypeFor[error]()).Elem()
		if err != nil {
			out.Set(reflect.ValueOf(err))
		}
		return []reflect.Value{out}
	}
}

// Match reports whether got is want, or starts with want's text before
// a final "*".
func Match(want, got string) bool {
	if prefix, ok := strings.CutSuffix(want, "*"); ok {
		return strings.HasPrefix(got, prefix)
	}
	return got == want
}

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

// guesser guesses alice's password with m until the server closes.
func (p *Protocol) guesser(m Method) attack.Guesser {
	return func(nc net.Conn, br *bufio.Reader, failed func()) {
		s := p.session(nc, br)
		if !s.Greet() {
			return
		}
		for Match(p.Failed, s.LogIn(m, "alice", "guess")) {
			failed()
		}
	}
}

// ReadUntilClosed connects to addr, writes send while it reads what the
// server says, and returns all of it once the server closed the
// connection. It fails t unless the connection ended in order, with a
// FIN: a server that closes with input unread must linger, or the
// kernel's reset destroys what it said last.
func ReadUntilClosed(t testing.TB, addr, send string) string {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer nc.Close()
	require.NoError(t, nc.SetDeadline(time.Now().Add(10*time.Second)))
	go io.WriteString(nc, send)
	// Let the input reach the server before reading, as a client busy
	// writing would.
	time.Sleep(200 * time.Millisecond)
	got, err := io.ReadAll(nc)
	require.NoError(t, err, "the connection must end with FIN, not a reset; read so far %q", got)
	return string(got)
}
