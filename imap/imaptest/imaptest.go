// Package imaptest starts a real IMAP server on 127.0.0.1 for a test, in
// the manner of net/http/httptest: one call gives a listening server over
// an in-memory store (imapmem), preloaded with users, mailboxes and
// messages, that stops on t.Cleanup.
//
// A test can drop mail in with Deliver (an SMTP test server's delivery
// hook can call it, so SMTP in and IMAP out share one store), wait for
// messages with a context, inspect what a mailbox holds, and inject
// faults: answer a command with a chosen response, or drop the connection
// when a command arrives.
package imaptest

import (
	"context"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/internal/testcert"
)

// Server is a running test server.
type Server struct {
	// Addr is the host:port the server listens on.
	Addr string
	// Store is the in-memory store the server serves.
	Store *imapmem.Backend
	// Server is the imap.Server; its fields must not change once started.
	Server *imap.Server

	clientTLS *tls.Config
	certPEM   []byte
	mu        sync.Mutex
	faults    map[string]*fault
}

type fault struct {
	resp  *imap.StatusResponse // nil drops the connection
	times int                  // how many more commands; <= 0 means every one
}

type config struct {
	users  [][2]string
	loads  []func(t testing.TB, s *imapmem.Backend)
	tls    bool
	modify []func(*imap.Server)
}

// Option configures NewServer.
type Option func(*config)

// WithUser adds a user with a password and an empty INBOX. Without any
// WithUser, the server has user "user" with password "pass".
func WithUser(name, password string) Option {
	return func(c *config) { c.users = append(c.users, [2]string{name, password}) }
}

// WithMailbox creates a mailbox, with an RFC 6154 special use or "".
func WithMailbox(user, mailbox string, specialUse imap.MailboxAttr) Option {
	return func(c *config) {
		c.loads = append(c.loads, func(t testing.TB, s *imapmem.Backend) {
			if err := s.CreateMailbox(user, mailbox, specialUse); err != nil {
				t.Fatalf("imaptest: creating %s: %v", mailbox, err)
			}
		})
	}
}

// WithMessage stores a message in a mailbox, with flags.
func WithMessage(user, mailbox string, data []byte, flags ...imap.Flag) Option {
	return func(c *config) {
		c.loads = append(c.loads, func(t testing.TB, s *imapmem.Backend) {
			if _, err := s.Append(user, mailbox, data, flags, time.Now()); err != nil {
				t.Fatalf("imaptest: loading a message into %s: %v", mailbox, err)
			}
		})
	}
}

// WithEMLDir stores every *.eml file of dir in a mailbox, in name order.
func WithEMLDir(user, mailbox, dir string) Option {
	return func(c *config) {
		c.loads = append(c.loads, func(t testing.TB, s *imapmem.Backend) {
			files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
			if err != nil {
				t.Fatalf("imaptest: %v", err)
			}
			sort.Strings(files)
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatalf("imaptest: %v", err)
				}
				if _, err := s.Append(user, mailbox, data, nil, time.Now()); err != nil {
					t.Fatalf("imaptest: loading %s: %v", f, err)
				}
			}
		})
	}
}

// WithTLS offers STARTTLS with a certificate made for the test;
// ClientTLSConfig trusts it.
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithServer changes the imap.Server before it starts, to set limits or
// a Logger.
func WithServer(fn func(*imap.Server)) Option {
	return func(c *config) { c.modify = append(c.modify, fn) }
}

// NewServer starts a server for t; it is closed on t.Cleanup. Cleartext
// LOGIN is allowed, since the server only listens on 127.0.0.1, and
// failed logins are answered at once (AuthFailureDelay -1; WithServer
// can set a delay).
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	if len(cfg.users) == 0 {
		cfg.users = [][2]string{{"user", "pass"}}
	}
	s := &Server{Store: imapmem.New(), faults: make(map[string]*fault)}
	for _, u := range cfg.users {
		s.Store.AddUser(u[0], u[1])
	}
	for _, load := range cfg.loads {
		load(t, s.Store)
	}
	s.Server = &imap.Server{Backend: s.Store, AllowInsecureAuth: true, BeforeCommand: s.beforeCommand,
		AuthFailureDelay: -1}
	if cfg.tls {
		pair, err := testcert.New("127.0.0.1", "localhost")
		if err != nil {
			t.Fatalf("imaptest: %v", err)
		}
		s.Server.TLSConfig = pair.ServerConfig()
		s.clientTLS = pair.ClientConfig()
		s.certPEM = pair.CertPEM
	}
	for _, fn := range cfg.modify {
		fn(s.Server)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("imaptest: %v", err)
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
// certificate, or nil without WithTLS.
func (s *Server) ClientTLSConfig() *tls.Config { return s.clientTLS }

// CertPEM returns the PEM certificate the server presents with WithTLS,
// which is its own CA, for a program outside the test (mbsync, curl) to
// trust; nil without WithTLS.
func (s *Server) CertPEM() []byte { return s.certPEM }

// Deliver stores a message in a user's mailbox as new mail; sessions that
// have it selected, IDLE ones included, see it at once. It returns the
// new UID.
func (s *Server) Deliver(user, mailbox string, data []byte) (uint32, error) {
	return s.Store.Append(user, mailbox, data, nil, time.Now())
}

// Messages returns what a user's mailbox holds.
func (s *Server) Messages(user, mailbox string) ([]imapmem.Message, error) {
	return s.Store.Messages(user, mailbox)
}

// WaitMessages waits until a user's mailbox holds at least n messages;
// it is woken by each change, never by polling.
func (s *Server) WaitMessages(ctx context.Context, user, mailbox string, n int) error {
	return s.Store.WaitMessages(ctx, user, mailbox, n)
}

// FailCommand answers the next times commands named command ("FETCH",
// "UID FETCH", ...) with resp instead of running them; times <= 0 fails
// every one until Reset.
func (s *Server) FailCommand(command string, times int, resp *imap.StatusResponse) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[strings.ToUpper(command)] = &fault{resp: resp, times: times}
}

// DropOn closes the connection, without a reply, when the next command
// named command arrives.
func (s *Server) DropOn(command string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[strings.ToUpper(command)] = &fault{times: 1}
}

// Reset removes every injected fault.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

func (s *Server) beforeCommand(_ *imap.Conn, command string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.faults[command]
	if !ok {
		return nil
	}
	if f.times > 0 {
		if f.times--; f.times == 0 {
			delete(s.faults, command)
		}
	}
	if f.resp == nil {
		return imap.ErrDropConnection
	}
	return f.resp
}
