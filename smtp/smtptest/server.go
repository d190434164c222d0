package smtptest

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/testserver"
	"github.com/mailwire/mailwire/smtp"
)

// closeGrace is how long Close lets sessions in the middle of a command
// (such as a message being received) finish before cutting them off.
const closeGrace = 5 * time.Second

// Server is a running SMTP server that records what it receives.
type Server struct {
	// Addr is the server's address, "127.0.0.1:port".
	Addr string

	cfg      config
	srv      *smtp.Server
	core     *testserver.Core
	conns    sync.Map // remote address -> net.Conn, for DropConnection
	commands testserver.Commands[smtp.Verb, *smtp.Reply]
	msgs     testserver.Log[Message]

	mu     sync.Mutex
	faults faults
}

// NewServer starts a server as Start does and stops it when t ends. It
// fails t if the server cannot start.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return testserver.NewServer(t, Start, opts)
}

// Start starts a server on 127.0.0.1 with a port of its own, accepting any
// sender and recipient unless the options say otherwise, for code that has
// no testing.TB (an Example, a main); the caller must Close it. Unlike a
// production smtp.Server it answers failed AUTHs at once
// (AuthFailureDelay -1; WithServer can set a delay).
func Start(opts ...Option) (*Server, error) {
	s := &Server{cfg: testserver.Configure(opts), core: testserver.New("smtptest")}
	s.faults = s.cfg.faults.clone()
	tlsConfig, err := s.core.Certificate(s.cfg.Secure())
	if err != nil {
		return nil, err
	}
	s.srv = &smtp.Server{
		Domain:            "smtptest.localhost",
		Backend:           smtp.BackendFunc(s.newSession),
		LMTP:              s.cfg.lmtp,
		AuthRequired:      s.cfg.users != nil,
		AllowInsecureAuth: s.cfg.InsecureAuth,
		TLSConfig:         tlsConfig,
		// Tests fail logins on purpose; they should not wait for it.
		AuthFailureDelay: -1,
	}
	s.cfg.Tweak(s.srv)
	s.srv.BeforeCommand = testserver.Hook(&s.commands, commandVerb, smtp.ErrDropConnection, s.srv.BeforeCommand)
	track := func(l net.Listener) net.Listener { return trackingListener{l, s} }
	if err := s.core.Serve(s.cfg.Implicit(s.srv.TLSConfig), track, s.srv.Serve); err != nil {
		return nil, err
	}
	s.Addr = s.core.Addr
	return s, nil
}

// Close stops the server as smtp.Server.Shutdown does (421 to idle
// sessions, RFC 5321 3.8), gives sessions in the middle of a command a few
// seconds to finish, then cuts the rest off, and returns once every
// session has ended. NewServer registers it with t.Cleanup; calling it
// earlier is allowed, and later calls do nothing.
func (s *Server) Close() { s.core.Close(s.shutdown) }

// shutdown is Close's way to stop the smtp.Server.
func (s *Server) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), closeGrace)
	defer cancel()
	if s.srv.Shutdown(ctx) != nil {
		s.srv.Close()
	}
}

// ClientTLSConfig returns a client configuration that trusts the server's
// certificate, or nil without WithTLS or WithImplicitTLS.
func (s *Server) ClientTLSConfig() *tls.Config { return s.core.ClientTLSConfig() }

// CertificatePEM returns the server's self-signed certificate in PEM, for
// programs that read a CA file (curl --cacert, Python's ssl), or nil
// without TLS.
func (s *Server) CertificatePEM() []byte { return s.core.CertificatePEM() }

// Messages returns the messages accepted since the start or the last
// Reset, oldest first.
func (s *Server) Messages() []Message { return s.msgs.All() }

// WaitMessages waits until at least n messages were accepted in total
// since the start or the last Reset and returns them all. Each delivery wakes it; no
// polling. When ctx ends first it returns the messages so far and ctx's
// error.
func (s *Server) WaitMessages(ctx context.Context, n int) ([]Message, error) {
	return s.msgs.Wait(ctx, n)
}

// Reset forgets the recorded messages and every fault, those of the
// options (RejectSender, FailNextData, DelayReply, ...) included, and
// keeps the users, so that a test can reuse the server for its next case.
// WaitMessages counts from zero again.
func (s *Server) Reset() {
	s.msgs.Reset()
	s.commands.Reset()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = faults{}
}

// record runs the OnMessage hooks, then stores m and wakes WaitMessages.
func (s *Server) record(m Message) {
	for _, fn := range s.cfg.onMessage {
		fn(m)
	}
	s.msgs.Add(m)
}

// trackingListener remembers each accepted connection by its remote
// address, so that a session can find and drop its own connection.
type trackingListener struct {
	net.Listener
	s *Server
}

// Accept remembers the connection by its remote address.
func (l trackingListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := trackedConn{nc, l.s}
	l.s.conns.Store(nc.RemoteAddr().String(), tc)
	return tc, nil
}

type trackedConn struct {
	net.Conn
	s *Server
}

// NetConn returns the connection under the tracking, so that the server
// can half-close it (netserver.CloseLingering).
func (c trackedConn) NetConn() net.Conn { return c.Conn }

// Close forgets the connection and closes it.
func (c trackedConn) Close() error {
	c.s.conns.Delete(c.RemoteAddr().String())
	return c.Conn.Close()
}
