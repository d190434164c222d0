package smtp

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/stretchr/testify/require"
)

// TestTLSHandshakeTimeout_RFC8314_3: on an implicit-TLS listener a client
// that connects and never starts the handshake is cut off after
// TLSHandshakeTimeout, without a greeting and without a session.
func TestTLSHandshakeTimeout_RFC8314_3(t *testing.T) {
	pair, err := testcert.New()
	require.NoError(t, err)
	backend := &testBackend{}
	srv := &Server{Domain: "mx.test", Backend: backend, TLSHandshakeTimeout: 100 * time.Millisecond}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(tls.NewListener(l, pair.ServerConfig()))
	defer srv.Close()

	c, err := net.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second)) // the test's bound, not the server's
	n, err := c.Read(make([]byte, 1))
	require.Zero(t, n)
	require.ErrorIs(t, err, io.EOF, "the server closes the silent connection")

	// A real client on the same listener still gets its greeting over TLS.
	tc, err := tls.Dial("tcp", l.Addr().String(), pair.ClientConfig())
	require.NoError(t, err)
	defer tc.Close()
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 64)
	n, err = tc.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "220 mx.test ESMTP mailwire\r\n", string(buf[:n]))
	backend.mu.Lock()
	defer backend.mu.Unlock()
	require.Equal(t, 0, backend.logouts, "no session was opened for the silent client")
}
