package smtp

import (
	"context"
	"net"
	"testing"

	"github.com/mailwire/mailwire/internal/sasl/sasltest/clienttest"
	"github.com/stretchr/testify/require"
)

// TestClient_RFC7677_Scram runs clienttest's SCRAM checks on the client
// after EHLO: -PLUS over TLS, the base mechanism in cleartext, and a
// wrong password, an unproven success, a missing or removed channel
// binding.
func TestClient_RFC7677_Scram(t *testing.T) {
	clienttest.Scram(t, clienttest.SMTP, scramMechanisms, func(t *testing.T, conn net.Conn) clienttest.Client {
		c, err := NewClient(context.Background(), conn, nil)
		require.NoError(t, err)
		require.NoError(t, c.Hello(context.Background(), "client.test"))
		return scramClient{c}
	})
}

// scramMechanisms are the package's SCRAM constructors.
var scramMechanisms = clienttest.Mechanisms{SHA256: ScramSHA256Auth, SHA256Plus: ScramSHA256PlusAuth, SHA1: ScramSHA1Auth, SHA1Plus: ScramSHA1PlusAuth}

// scramClient is the Client as clienttest.Scram drives it.
type scramClient struct{ *Client }

// Ping sends NOOP.
func (c scramClient) Ping(ctx context.Context) error { return c.Noop(ctx) }

// Refused: 535 5.7.8 answers wrong credentials (RFC 4954 section 6).
func (scramClient) Refused(err error) bool {
	return clienttest.Refusal(err, func(r *Reply) bool { return r.Code == CodeAuthInvalid })
}
