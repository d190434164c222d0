// Package testserver is what the test servers smtptest, pop3test and
// imaptest share, so that each keeps only its protocol: the listener on
// 127.0.0.1 with a port of its own, the certificate made at run time and
// its PEM, implicit TLS (RFC 8314 section 3.3), the Serve goroutine and a
// Close that waits for it, the fault table of FailCommand and DropOn, the
// record of deliveries that WaitMessages waits on, and NewServer's
// t.Cleanup wiring.
package testserver

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"slices"
	"sync"
	"testing"

	"github.com/mailwire/mailwire/internal/testcert"
)

// NewServer starts a server with start and opts and stops it when t ends.
// It fails t if the server cannot start. The test packages' NewServer is
// this with their Start.
func NewServer[S interface{ Close() }, O any](t testing.TB, start func(...O) (S, error), opts []O) S {
	t.Helper()
	s, err := start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Core is the life of one test server: its certificate, its listener,
// the goroutine that serves it and the sessions that Close waits for.
type Core struct {
	// Addr is the "127.0.0.1:port" the server listens on, once Serve
	// returned without an error.
	Addr string

	name      string // the package, to prefix errors
	cert      *testcert.Pair
	closing   chan struct{} // closed when Close begins
	served    chan struct{} // closed when serve returned
	closeOnce sync.Once
	sessions  Gauge
}

// New returns the core of a server of package name ("smtptest"), which
// prefixes its errors.
func New(name string) *Core {
	return &Core{name: name, closing: make(chan struct{}), served: make(chan struct{})}
}

// Certificate makes a self-signed certificate for localhost, 127.0.0.1,
// ::1 and names when on is true (WithTLS or WithImplicitTLS), and returns
// the server configuration that presents it; nil when on is false.
func (c *Core) Certificate(on bool, names ...string) (*tls.Config, error) {
	if !on {
		return nil, nil
	}
	pair, err := testcert.New(names...)
	if err != nil {
		return nil, fmt.Errorf("%s: certificate: %w", c.name, err)
	}
	c.cert = pair
	return pair.ServerConfig(), nil
}

// Serve listens on 127.0.0.1 with a port of its own and runs serve on the
// listener in a goroutine until Close. wrap, if not nil, wraps the TCP
// listener; implicit, if not nil, then wraps it in TLS from the first
// octet (RFC 8314 section 3.3).
func (c *Core) Serve(implicit *tls.Config, wrap func(net.Listener) net.Listener, serve func(net.Listener) error) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("%s: listen: %w", c.name, err)
	}
	c.Addr = l.Addr().String()
	if wrap != nil {
		l = wrap(l)
	}
	if implicit != nil {
		l = tls.NewListener(l, implicit)
	}
	go func() {
		defer close(c.served)
		serve(l)
	}()
	return nil
}

// Close runs once, however often it is called: it makes Closing ready and
// Enter refuse, calls stop to stop the protocol server, and returns once
// serve returned and every session that entered has left.
func (c *Core) Close(stop func()) {
	c.closeOnce.Do(func() {
		close(c.closing)
		c.sessions.Close()
		stop()
		<-c.served
		c.sessions.Wait(context.Background())
	})
}

// Closing is closed when Close begins, to cut delays short.
func (c *Core) Closing() <-chan struct{} { return c.closing }

// Enter counts a session that starts, for Close to wait for, and reports
// false, counting nothing, once Close began.
func (c *Core) Enter() bool { return c.sessions.Enter() }

// Leave ends a session that Enter counted.
func (c *Core) Leave() { c.sessions.Leave() }

// ClientTLSConfig returns a client configuration that trusts the
// certificate, or nil without one.
func (c *Core) ClientTLSConfig() *tls.Config {
	if c.cert == nil {
		return nil
	}
	return c.cert.ClientConfig()
}

// CertificatePEM returns the certificate in PEM, or nil without one.
func (c *Core) CertificatePEM() []byte {
	if c.cert == nil {
		return nil
	}
	return slices.Clone(c.cert.CertPEM)
}
