package smtptest

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/mailwire/mailwire/smtp"
)

// closeGrace is how long Close lets sessions in the middle of a command
// (such as a message being received) finish before cutting them off.
const closeGrace = 5 * time.Second

// Server is a running SMTP server that records what it receives.
type Server struct {
	// Addr is the server's address, "127.0.0.1:port".
	Addr string

	cfg   config
	srv   *smtp.Server
	cert  *testcert.Pair
	conns sync.Map // remote address -> net.Conn, for DropConnection

	closing   chan struct{} // closed by Close; ends delays
	served    chan struct{} // closed when Serve returned
	closeOnce sync.Once

	mu       sync.Mutex
	msgs     []Message
	arrived  chan struct{} // closed and replaced on each delivery
	faults   faults
	sessions int
	idle     *sync.Cond // signalled when sessions drops to zero
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

// Start starts a server on 127.0.0.1 with a port of its own, accepting any
// sender and recipient unless the options say otherwise, for code that has
// no testing.TB (an Example, a main); the caller must Close it. Unlike a
// production smtp.Server it answers failed AUTHs at once
// (AuthFailureDelay -1; WithServer can set a delay).
func Start(opts ...Option) (*Server, error) {
	s := &Server{closing: make(chan struct{}), served: make(chan struct{}), arrived: make(chan struct{})}
	s.idle = sync.NewCond(&s.mu)
	for _, o := range opts {
		o(&s.cfg)
	}
	s.faults = s.cfg.faults.clone()
	s.srv = &smtp.Server{
		Domain:            "smtptest.localhost",
		Backend:           smtp.BackendFunc(s.newSession),
		LMTP:              s.cfg.lmtp,
		AuthRequired:      s.cfg.users != nil,
		AllowInsecureAuth: s.cfg.insecureAuth,
		// Tests fail logins on purpose; they should not wait for it.
		AuthFailureDelay: -1,
	}
	if s.cfg.tls || s.cfg.implicitTLS {
		pair, err := testcert.New()
		if err != nil {
			return nil, fmt.Errorf("smtptest: certificate: %w", err)
		}
		s.cert = pair
		s.srv.TLSConfig = pair.ServerConfig()
	}
	for _, fn := range s.cfg.tweaks {
		fn(s.srv)
	}
	s.srv.BeforeCommand = s.beforeCommand(s.srv.BeforeCommand)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("smtptest: listen: %w", err)
	}
	s.Addr = l.Addr().String()
	var ln net.Listener = trackingListener{l, s}
	if s.cfg.implicitTLS {
		ln = tls.NewListener(ln, s.srv.TLSConfig)
	}
	go func() {
		defer close(s.served)
		s.srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server as smtp.Server.Shutdown does (421 to idle
// sessions, RFC 5321 3.8), gives sessions in the middle of a command a few
// seconds to finish, then cuts the rest off, and returns once every
// session has ended. NewServer registers it with t.Cleanup; calling it
// earlier is allowed, and later calls do nothing.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		ctx, cancel := context.WithTimeout(context.Background(), closeGrace)
		defer cancel()
		if s.srv.Shutdown(ctx) != nil {
			s.srv.Close()
		}
		<-s.served
		s.mu.Lock()
		for s.sessions > 0 {
			s.idle.Wait()
		}
		s.mu.Unlock()
	})
}

// ClientTLSConfig returns a client configuration that trusts the server's
// certificate, or nil without WithTLS or WithImplicitTLS.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.cert == nil {
		return nil
	}
	return s.cert.ClientConfig()
}

// CertificatePEM returns the server's self-signed certificate in PEM, for
// programs that read a CA file (curl --cacert, Python's ssl), or nil
// without TLS.
func (s *Server) CertificatePEM() []byte {
	if s.cert == nil {
		return nil
	}
	return slices.Clone(s.cert.CertPEM)
}

// Messages returns the messages accepted since the start or the last
// Reset, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// WaitMessages waits until at least n messages were accepted in total
// since the start or the last Reset and returns them all. Each delivery wakes it; no
// polling. When ctx ends first it returns the messages so far and ctx's
// error.
func (s *Server) WaitMessages(ctx context.Context, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			msgs := slices.Clone(s.msgs)
			s.mu.Unlock()
			return msgs, nil
		}
		arrived := s.arrived
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-ctx.Done():
			return s.Messages(), ctx.Err()
		}
	}
}

// Reset forgets the recorded messages and every fault, those of the
// options (RejectSender, FailNextData, DelayReply, ...) included, and
// keeps the users, so that a test can reuse the server for its next case.
// WaitMessages counts from zero again.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
	s.faults = faults{}
}

// record runs the OnMessage hooks, then stores m and wakes WaitMessages.
func (s *Server) record(m Message) {
	for _, fn := range s.cfg.onMessage {
		fn(m)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// trackingListener remembers each accepted connection by its remote
// address, so that a session can find and drop its own connection.
type trackingListener struct {
	net.Listener
	s *Server
}

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

func (c trackedConn) Close() error {
	c.s.conns.Delete(c.RemoteAddr().String())
	return c.Conn.Close()
}
