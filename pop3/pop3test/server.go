package pop3test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"slices"
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

	cert      *testcert.Pair
	served    chan struct{} // closed when Serve returned
	closeOnce sync.Once

	mu         sync.Mutex
	passwords  map[string]string            // every user, for Reset
	open       int                          // maildrops open now
	idle       chan struct{}                // closed when open drops to 0
	deleted    map[string][]string          // user -> UIDs deleted in UPDATE
	commands   map[pop3.Verb]*pop3.Response // FailCommand; nil drops (DropOn)
	failDelete error                        // the error of every UPDATE
	delivered  int                          // Deliver calls since start or Reset
	arrived    chan struct{}                // closed and replaced by each Deliver
}

// NewServer starts a server as Start does and stops it when t ends. It
// fails t if the server cannot start.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a server on 127.0.0.1 with a port of its own, for code that
// has no testing.TB (an Example, a main); the caller must Close it. Unlike
// a production pop3.Server it answers failed logins at once
// (AuthFailureDelay -1; WithServer can set a delay).
func Start(opts ...Option) (*Server, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		Store:     &pop3mem.Store{},
		served:    make(chan struct{}),
		passwords: make(map[string]string),
		deleted:   make(map[string][]string),
		arrived:   make(chan struct{}),
	}
	s.Server = &pop3.Server{
		Domain:            "pop3test.local",
		AllowInsecureAuth: cfg.insecureAuth,
		AuthFailureDelay:  -1,
	}
	for _, u := range cfg.users {
		s.AddUser(u.name, u.password)
		for _, m := range u.msgs {
			if _, err := s.Store.Deliver(u.name, m); err != nil {
				return nil, fmt.Errorf("pop3test: preloading %s: %w", u.name, err)
			}
		}
	}
	if cfg.tls || cfg.implicitTLS {
		pair, err := testcert.New("localhost", "127.0.0.1")
		if err != nil {
			return nil, fmt.Errorf("pop3test: certificate: %w", err)
		}
		s.cert = pair
		s.Server.TLSConfig = pair.ServerConfig()
	}
	for _, fn := range cfg.tweaks {
		fn(s.Server)
	}
	s.Server.Backend = &backend{s: s}
	s.Server.BeforeCommand = s.beforeCommand(s.Server.BeforeCommand)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("pop3test: listen: %w", err)
	}
	s.Addr = l.Addr().String()
	if cfg.implicitTLS {
		l = tls.NewListener(l, s.Server.TLSConfig)
	}
	go func() {
		defer close(s.served)
		s.Server.Serve(l)
	}()
	return s, nil
}

// Close stops the server and its sessions and returns once it stopped.
// NewServer registers it with t.Cleanup; calling it earlier is allowed,
// and later calls do nothing.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.Server.Close()
		<-s.served
	})
}

// ClientTLSConfig returns a TLS configuration that trusts the server's
// certificate, or nil without WithTLS or WithImplicitTLS.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.cert == nil {
		return nil
	}
	return s.cert.ClientConfig()
}

// CertificatePEM returns the server's self-signed certificate in PEM, for
// programs that read a CA file (fetchmail, Python's ssl), or nil without
// TLS.
func (s *Server) CertificatePEM() []byte {
	if s.cert == nil {
		return nil
	}
	return slices.Clone(s.cert.CertPEM)
}

// AddUser creates a user with an empty maildrop, or changes its password.
func (s *Server) AddUser(name, password string) {
	s.mu.Lock()
	s.passwords[name] = password
	s.mu.Unlock()
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
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delivered++
	close(s.arrived)
	s.arrived = make(chan struct{})
	return uid, nil
}

// WaitMessages waits until at least n messages were delivered in total
// with Deliver since the start or the last Reset. Each delivery wakes it;
// no polling. When ctx ends first it returns ctx's error.
func (s *Server) WaitMessages(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		done, arrived := s.delivered >= n, s.arrived
		s.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-arrived:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
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
