// Package pop3test starts a real POP3 server on 127.0.0.1 for tests, as
// net/http/httptest does for HTTP: preloaded users and messages, a Deliver
// entry point so an SMTP test server can feed it, a record of the messages
// deleted in UPDATE (RFC 1939 section 6), and fault injection (a command
// answered with a chosen response, deletions that fail).
package pop3test

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"testing"

	"github.com/mailwire/mailwire/internal/testcert"
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

	clientTLS *tls.Config
	certPEM   []byte

	mu         sync.Mutex
	open       int                      // maildrops open now
	idle       chan struct{}            // closed when open drops to 0
	deleted    map[string][]string      // user -> UIDs deleted in UPDATE
	failCmd    map[pop3.Verb]error      // commands answered with an error
	failDelete error                    // the error of every UPDATE
	configure  []func(*pop3.Server)     // WithConfig functions
	users      map[string]preloadedUser // WithUser
	userOrder  []string
}

type preloadedUser struct {
	password string
	msgs     [][]byte
}

// Option configures a Server before it starts.
type Option func(*Server)

// WithUser creates a user with a password (also the APOP secret) and
// preloads messages into the maildrop, in order.
func WithUser(name, password string, msgs ...[]byte) Option {
	return func(s *Server) {
		if _, ok := s.users[name]; !ok {
			s.userOrder = append(s.userOrder, name)
		}
		s.users[name] = preloadedUser{password: password, msgs: msgs}
	}
}

// WithTLS offers STLS (RFC 2595) with a certificate made at run time;
// ClientTLSConfig returns a configuration that trusts it.
func WithTLS() Option {
	return func(s *Server) {
		pair, err := testcert.New("localhost", "127.0.0.1")
		if err != nil {
			panic(err)
		}
		s.Server.TLSConfig = pair.ServerConfig()
		s.clientTLS = pair.ClientConfig()
		s.certPEM = pair.CertPEM
	}
}

// WithConfig changes the pop3.Server before it serves: limits, timeouts,
// Debug, AllowInsecureAuth (on by default here, as loopback tests send
// passwords in the clear).
func WithConfig(f func(*pop3.Server)) Option {
	return func(s *Server) { s.configure = append(s.configure, f) }
}

// NewServer starts a server on 127.0.0.1:0 and stops it when the test
// ends. Unlike a production pop3.Server it allows passwords without TLS and
// answers failed logins at once.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		Store:   &pop3mem.Store{},
		deleted: make(map[string][]string),
		failCmd: make(map[pop3.Verb]error),
		users:   make(map[string]preloadedUser),
	}
	s.Server = &pop3.Server{
		Domain:            "pop3test.local",
		AllowInsecureAuth: true,
		AuthFailureDelay:  -1,
	}
	for _, o := range opts {
		o(s)
	}
	for _, name := range s.userOrder {
		u := s.users[name]
		s.Store.AddUser(name, u.password)
		for _, m := range u.msgs {
			if _, err := s.Store.Deliver(name, m); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range s.configure {
		f(s.Server)
	}
	s.Server.Backend = &backend{s: s}
	next := s.Server.BeforeCommand
	s.Server.BeforeCommand = func(c *pop3.Conn, cmd pop3.Command) error {
		s.mu.Lock()
		err := s.failCmd[cmd.Verb]
		s.mu.Unlock()
		if err != nil {
			return err
		}
		if next != nil {
			return next(c, cmd)
		}
		return nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = l.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Server.Serve(l)
	}()
	t.Cleanup(func() {
		s.Server.Close()
		<-done
	})
	return s
}

// ClientTLSConfig returns a TLS configuration that trusts the server's
// certificate (WithTLS), or nil.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.clientTLS == nil {
		return nil
	}
	return s.clientTLS.Clone()
}

// CertPEM returns the server's certificate in PEM (WithTLS), for peers
// such as Python's ssl module that trust a CA file; nil without TLS.
func (s *Server) CertPEM() []byte { return s.certPEM }

// AddUser creates a user, or changes its password.
func (s *Server) AddUser(name, password string) { s.Store.AddUser(name, password) }

// Deliver appends a message to a user's maildrop and returns its unique id;
// an SMTP test server's delivery hook can call it.
func (s *Server) Deliver(user string, msg []byte) (uid string, err error) {
	return s.Store.Deliver(user, msg)
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
	return append([]string(nil), s.deleted[user]...)
}

// FailCommand makes every later command with verb get err instead of
// running: a *pop3.Response is sent as it is; any other error drops the
// connection. A nil err ends the fault.
func (s *Server) FailCommand(verb pop3.Verb, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		delete(s.failCmd, verb)
		return
	}
	s.failCmd[verb] = err
}

// FailDelete makes every later UPDATE fail with err, so that QUIT answers
// -ERR and the messages stay (RFC 1939 section 6); nil ends the fault.
func (s *Server) FailDelete(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failDelete = err
}

// WaitIdle waits until no session holds a maildrop: every session that
// logged in has ended and, after QUIT, applied its deletions. It is woken
// by the sessions' ends, not by polling.
func (s *Server) WaitIdle(ctx context.Context) error {
	s.mu.Lock()
	if s.open == 0 {
		s.mu.Unlock()
		return nil
	}
	ch := s.idle
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
