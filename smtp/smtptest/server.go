package smtptest

import (
	"context"
	"crypto/tls"
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
	failLeft int
	drops    map[Stage]int
	sessions int
	idle     *sync.Cond // signalled when sessions drops to zero
}

// NewServer starts a server on 127.0.0.1 with a port of its own, accepting
// any sender and recipient unless the options say otherwise, and stops it
// when t ends. It fails t if it cannot listen. Unlike a production
// smtp.Server it answers failed AUTHs at once (AuthFailureDelay -1;
// WithServer can set a delay).
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{closing: make(chan struct{}), served: make(chan struct{}), arrived: make(chan struct{})}
	s.idle = sync.NewCond(&s.mu)
	for _, o := range opts {
		o(&s.cfg)
	}
	s.failLeft = s.cfg.failData
	s.drops = make(map[Stage]int, len(s.cfg.drops))
	for k, v := range s.cfg.drops {
		s.drops[k] = v
	}
	s.srv = &smtp.Server{
		Domain:            "smtptest.localhost",
		Backend:           smtp.BackendFunc(s.newSession),
		LMTP:              s.cfg.lmtp,
		AuthRequired:      s.cfg.users != nil,
		AllowInsecureAuth: s.cfg.users != nil,
		// Tests fail logins on purpose; they should not wait for it.
		AuthFailureDelay: -1,
	}
	if s.cfg.tls || s.cfg.implicitTLS {
		pair, err := testcert.New()
		if err != nil {
			t.Fatalf("smtptest: certificate: %v", err)
		}
		s.cert = pair
		s.srv.TLSConfig = pair.ServerConfig()
	}
	for _, fn := range s.cfg.tweaks {
		fn(s.srv)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
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
	t.Cleanup(s.Close)
	return s
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

// WaitMessages waits until at least n messages were accepted since the
// start or the last Reset and returns them all. Each delivery wakes it; no
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

// Reset forgets the recorded messages, so that a test can reuse the
// server for its next case. Faults configured by options are not reset.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
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

// takeFailure returns the reply for a delivery FailNextData must refuse.
func (s *Server) takeFailure() *smtp.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failLeft <= 0 {
		return nil
	}
	s.failLeft--
	return s.cfg.failReply
}

// fault applies the delay and drop configured for stage to the session of
// c. It reports whether the connection was dropped.
func (s *Server) fault(stage Stage, c *smtp.Conn) bool {
	if d := s.cfg.delays[stage]; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-s.closing:
			t.Stop()
		}
	}
	s.mu.Lock()
	n := s.drops[stage]
	if n > 0 {
		s.drops[stage] = n - 1
	}
	s.mu.Unlock()
	if n == 0 {
		return false
	}
	if nc, ok := s.conns.Load(c.RemoteAddr().String()); ok {
		nc.(net.Conn).Close()
	}
	return true
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
