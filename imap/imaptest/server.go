package imaptest

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/internal/testserver"
)

// Server is a running test server.
type Server struct {
	// Addr is the "127.0.0.1:port" the server listens on.
	Addr string
	// Store is the in-memory store the server serves.
	Store *imapmem.Backend
	// Server is the imap.Server; its fields must not change once started.
	Server *imap.Server

	core     *testserver.Core
	users    testserver.Users                                  // every user, for Reset
	commands testserver.Commands[string, *imap.StatusResponse] // FailCommand, DropOn
	uids     testserver.Log[uint32]                            // of Deliver, since start or Reset
}

// NewServer starts a server as Start does and stops it when t ends. It
// fails t if the server cannot start.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return testserver.NewServer(t, Start, opts)
}

// Start starts a server on 127.0.0.1 with a port of its own, for code that
// has no testing.TB (an Example, a main); the caller must Close it. Unlike
// a production imap.Server it answers failed logins at once
// (AuthFailureDelay -1; WithServer can set a delay).
func Start(opts ...Option) (*Server, error) {
	cfg := testserver.Configure(opts)
	if len(cfg.users) == 0 {
		cfg.users = [][2]string{{"user", "pass"}}
	}
	s := &Server{Store: imapmem.New(), core: testserver.New("imaptest")}
	for _, u := range cfg.users {
		s.Store.AddUser(u[0], u[1])
		s.users.Set(u[0], u[1])
	}
	for _, load := range cfg.loads {
		if err := load(s.Store); err != nil {
			return nil, err
		}
	}
	tlsConfig, err := s.core.Certificate(cfg.Secure(), "127.0.0.1", "localhost")
	if err != nil {
		return nil, err
	}
	s.Server = &imap.Server{Backend: s.Store, AllowInsecureAuth: cfg.InsecureAuth, AuthFailureDelay: -1, TLSConfig: tlsConfig}
	cfg.Tweak(s.Server)
	s.Server.BeforeCommand = testserver.Hook(&s.commands, commandName, imap.ErrDropConnection, s.Server.BeforeCommand)
	if err := s.core.Serve(cfg.Implicit(s.Server.TLSConfig), nil, s.Server.Serve); err != nil {
		return nil, err
	}
	s.Addr = s.core.Addr
	return s, nil
}

// Close stops the server and its sessions and returns once it stopped.
// NewServer registers it with t.Cleanup; calling it earlier is allowed,
// and later calls do nothing.
func (s *Server) Close() { s.core.Close(func() { s.Server.Close() }) }

// ClientTLSConfig returns a TLS configuration that trusts the server's
// certificate, or nil without WithTLS or WithImplicitTLS.
func (s *Server) ClientTLSConfig() *tls.Config { return s.core.ClientTLSConfig() }

// CertificatePEM returns the server's self-signed certificate in PEM, its
// own CA, for a program outside the test (mbsync, curl) to trust; nil
// without TLS.
func (s *Server) CertificatePEM() []byte { return s.core.CertificatePEM() }

// Deliver stores msg in a user's mailbox as new mail, returns its UID and
// wakes WaitMessages; sessions that have the mailbox selected, IDLE ones
// included, see it at once (RFC 3501 section 7.3.1, EXISTS).
func (s *Server) Deliver(user, mailbox string, msg []byte) (uint32, error) {
	uid, err := s.Store.Append(user, mailbox, msg, nil, time.Now())
	if err != nil {
		return 0, err
	}
	s.uids.Add(uid)
	return uid, nil
}

// WaitMessages waits until at least n messages were delivered in total
// with Deliver since the start or the last Reset. Each delivery wakes it;
// no polling. When ctx ends first it returns ctx's error.
func (s *Server) WaitMessages(ctx context.Context, n int) error {
	_, err := s.uids.Wait(ctx, n)
	return err
}

// Messages returns what a user's mailbox holds.
func (s *Server) Messages(user, mailbox string) ([]imapmem.Message, error) {
	return s.Store.Messages(user, mailbox)
}
