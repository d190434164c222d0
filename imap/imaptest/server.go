package imaptest

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/internal/testcert"
)

// Server is a running test server.
type Server struct {
	// Addr is the "127.0.0.1:port" the server listens on.
	Addr string
	// Store is the in-memory store the server serves.
	Store *imapmem.Backend
	// Server is the imap.Server; its fields must not change once started.
	Server *imap.Server

	cert      *testcert.Pair
	served    chan struct{} // closed when Serve returned
	closeOnce sync.Once

	mu        sync.Mutex
	passwords map[string]string               // every user, for Reset
	commands  map[string]*imap.StatusResponse // FailCommand; nil drops (DropOn)
	delivered int                             // Deliver calls since start or Reset
	arrived   chan struct{}                   // closed and replaced by each Deliver
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
// a production imap.Server it answers failed logins at once
// (AuthFailureDelay -1; WithServer can set a delay).
func Start(opts ...Option) (*Server, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	if len(cfg.users) == 0 {
		cfg.users = [][2]string{{"user", "pass"}}
	}
	s := &Server{Store: imapmem.New(), served: make(chan struct{}), passwords: make(map[string]string),
		arrived: make(chan struct{})}
	for _, u := range cfg.users {
		s.Store.AddUser(u[0], u[1])
		s.passwords[u[0]] = u[1]
	}
	for _, load := range cfg.loads {
		if err := load(s.Store); err != nil {
			return nil, err
		}
	}
	s.Server = &imap.Server{Backend: s.Store, AllowInsecureAuth: cfg.insecureAuth, AuthFailureDelay: -1}
	if cfg.tls || cfg.implicitTLS {
		pair, err := testcert.New("127.0.0.1", "localhost")
		if err != nil {
			return nil, fmt.Errorf("imaptest: certificate: %w", err)
		}
		s.cert = pair
		s.Server.TLSConfig = pair.ServerConfig()
	}
	for _, fn := range cfg.modify {
		fn(s.Server)
	}
	s.Server.BeforeCommand = s.beforeCommand(s.Server.BeforeCommand)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("imaptest: listen: %w", err)
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

// CertificatePEM returns the server's self-signed certificate in PEM, its
// own CA, for a program outside the test (mbsync, curl) to trust; nil
// without TLS.
func (s *Server) CertificatePEM() []byte {
	if s.cert == nil {
		return nil
	}
	return slices.Clone(s.cert.CertPEM)
}

// Deliver stores msg in a user's mailbox as new mail, returns its UID and
// wakes WaitMessages; sessions that have the mailbox selected, IDLE ones
// included, see it at once (RFC 3501 section 7.3.1, EXISTS).
func (s *Server) Deliver(user, mailbox string, msg []byte) (uint32, error) {
	uid, err := s.Store.Append(user, mailbox, msg, nil, time.Now())
	if err != nil {
		return 0, err
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

// Messages returns what a user's mailbox holds.
func (s *Server) Messages(user, mailbox string) ([]imapmem.Message, error) {
	return s.Store.Messages(user, mailbox)
}
