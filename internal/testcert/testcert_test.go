package testcert

import (
	"crypto/tls"
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHandshake(t *testing.T) {
	p, err := New()
	require.NoError(t, err)
	_, err = tls.X509KeyPair(p.CertPEM, p.KeyPEM)
	require.NoError(t, err)
	a, b := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- tls.Server(a, p.ServerConfig()).Handshake() }()
	require.NoError(t, tls.Client(b, p.ClientConfig()).Handshake())
	require.NoError(t, <-done)
}
