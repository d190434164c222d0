package pop3test

import (
	"context"
	"crypto/tls"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/mailwire/mailwire/internal/testserver"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3mem"
)

// Server is a running POP3 server backed by an in-memory store.
type Server struct {
	// Addr is the "127.0.0.1:port" the server listens on.
	Addr string
	// Server is the pop3.Server, for its fields; do not change them.
	Server *pop3.Server
	// Store holds the users and their messages.
	Store *pop3mem.Store

	core     *testserver.Core
	users    testserver.Users                               // every user, for Reset
	commands testserver.Commands[pop3.Verb, *pop3.Response] // FailCommand, DropOn
	uids     testserver.Log[string]                         // of Deliver, since start or Reset
	open     testserver.Gauge                               // maildrops open now

	mu         sync.Mutex
	deleted    map[string][]string // user -> UIDs deleted in UPDATE
	failDelete error               // the error of every UPDATE
}

// NewServer starts a server as Start does and stops it when t ends. It
// fails t if the server cannot start.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return testserver.NewServer(t, Start, opts)
}

// Start starts a server on 127.0.0.1 with a port of its own, for code that
// has no testing.TB (an Example, a main); the caller must Close it. Unlike
// a production pop3.Server it answers failed logins at once
// (AuthFailureDelay -1; WithServer can set a delay).
func Start(opts ...Option) (*Server, error) {
	cfg := testserver.Configure(opts)
	s := &Server{Store: &pop3mem.Store{}, core: testserver.New("pop3test"), deleted: make(map[string][]string)}
	if err := s.preload(cfg.users); err != nil {
		return nil, err
	}
	tlsConfig, err := s.core.Certificate(cfg.Secure(), "localhost", "127.0.0.1")
	if err != nil {
		return nil, err
	}
	s.Server = &pop3.Server{
		Domain:            "pop3test.local",
		AllowInsecureAuth: cfg.InsecureAuth,
		AuthFailureDelay:  -1,
		TLSConfig:         tlsConfig,
	}
	cfg.Tweak(s.Server)
	s.Server.Backend = &backend{s: s}
	s.Server.BeforeCommand = testserver.Hook(&s.commands, commandVerb, pop3.ErrDropConnection, s.Server.BeforeCommand)
	if err := s.core.Serve(cfg.Implicit(s.Server.TLSConfig), nil, s.Server.Serve); err != nil {
		return nil, err
	}
	s.Addr = s.core.Addr
	return s, nil
}

// preload creates the users of WithUser with their messages.
func (s *Server) preload(users []preloadedUser) error {
	for _, u := range users {
		s.AddUser(u.name, u.password)
		for _, m := range u.msgs {
			if _, err := s.Store.Deliver(u.name, m); err != nil {
				return fmt.Errorf("pop3test: preloading %s: %w", u.name, err)
			}
		}
	}
	return nil
}

// Close stops the server and its sessions and returns once it stopped.
// NewServer registers it with t.Cleanup; calling it earlier is allowed,
// and later calls do nothing.
func (s *Server) Close() { s.core.Close(func() { s.Server.Close() }) }

// ClientTLSConfig returns a TLS configuration that trusts the server's
// certificate, or nil without WithTLS or WithImplicitTLS.
func (s *Server) ClientTLSConfig() *tls.Config { return s.core.ClientTLSConfig() }

// CertificatePEM returns the server's self-signed certificate in PEM, for
// programs that read a CA file (fetchmail, Python's ssl), or nil without
// TLS.
func (s *Server) CertificatePEM() []byte { return s.core.CertificatePEM() }

// AddUser creates a user with an empty maildrop, or changes its password.
func (s *Server) AddUser(name, password string) {
	s.users.Set(name, password)
	s.Store.AddUser(name, password)
}

// Deliver appends msg to a user's maildrop, returns its unique id (RFC
// 1939 section 7, UIDL) and wakes WaitMessages; an smtptest OnMessage hook
// can call it. Sessions already logged in see the message at their next
// login (message numbers never shift within a session, RFC 1939 section 5).
func (s *Server) Deliver(user string, msg []byte) (uid string, err error) {
	uid, err = s.Store.Deliver(user, msg)
	if err != nil {
		return "", err
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

// Messages returns the messages in a user's maildrop now.
func (s *Server) Messages(user string) [][]byte { return s.Store.Messages(user) }

// UIDs returns the unique ids of the messages in a user's maildrop now.
func (s *Server) UIDs(user string) []string { return s.Store.UIDs(user) }

// Deleted returns the unique ids of the messages that UPDATE removed from a
// user's maildrop so far, in order.
func (s *Server) Deleted(user string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deleted[user])
}
