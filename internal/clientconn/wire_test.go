package clientconn

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWireTrace: the trace shows command lines as Redact makes them and
// SASL responses as Redacted, except the "*" that cancels an exchange
// (RFC 4422 section 3.5); the wire gets every line as written.
func TestWireTrace(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	var got bytes.Buffer
	go func() { io.Copy(&got, server) }()

	var trace bytes.Buffer
	w := NewWire(client, 512, "test", nil)
	w.Debug = &trace
	w.Redact = func(line string) string { return strings.Replace(line, "secret", "***", 1) }
	w.WriteLine("PASS secret")
	require.NoError(t, w.Flush())
	require.NoError(t, w.WriteSecret("dGVzdA=="))
	require.NoError(t, w.WriteSecret("*"))
	w.WriteLine("QUIT")
	require.NoError(t, w.Flush())
	require.Equal(t, "C: PASS ***\nC: ***\nC: *\nC: QUIT\n", trace.String())
}

// TestWireClose: Close makes the given error every later call's, and a
// second Close is no error.
func TestWireClose(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	failed := 0
	w := NewWire(client, 512, "test", func() { failed++ })
	closed := errors.New("test: closed")
	require.NoError(t, w.Close(closed))
	require.NoError(t, w.Close(closed))
	require.ErrorIs(t, w.Do(context.Background(), func() error { return nil }), closed)
	require.ErrorIs(t, w.Err(), closed)
	require.Equal(t, 1, failed, "onFail runs once")
}

// TestWireCheckStartTLS: an upgrade needs a server name to verify (RFC
// 6125), from the configuration or the dialled host, and a connection
// that is not in TLS yet.
func TestWireCheckStartTLS(t *testing.T) {
	client, server := net.Pipe()
	defer server.Close()
	state, invalid := errors.New("state"), errors.New("invalid")
	w := NewWire(client, 512, "test", nil)
	_, err := w.CheckStartTLS(nil, nil, "", state, invalid)
	require.ErrorIs(t, err, invalid)
	cfg, err := w.CheckStartTLS(nil, nil, "mail.example.org", state, invalid)
	require.NoError(t, err)
	require.Equal(t, "mail.example.org", cfg.ServerName)

	// A connection in TLS already is refused as a state error (RFC 3207
	// section 4.2, RFC 2595 section 4: one upgrade per session).
	tlsWire := NewWire(tls.Client(client, &tls.Config{ServerName: "mail.example.org"}), 512, "test", nil)
	_, err = tlsWire.CheckStartTLS(nil, nil, "mail.example.org", state, invalid)
	require.ErrorIs(t, err, state)
	require.ErrorIs(t, err, ErrTLSActive)
}
