package pop3

import (
	"context"
	"crypto/tls"
	"net"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/sasl/sasltest/clienttest"
	"github.com/stretchr/testify/require"
)

// TestClient_RFC5034_4_LongInitialResponse: an initial response that would
// make the AUTH line longer than 255 octets waits for the server's empty
// challenge instead.
func TestClient_RFC5034_4_LongInitialResponse(t *testing.T) {
	token := strings.Repeat("t", 300)
	f := &clienttest.Server{Dialect: clienttest.POP3, Mechs: []string{"OAUTHBEARER"}, Token: token}
	c := pop3Client(t, f.Connect(t, tls.VersionTLS13))
	require.NoError(t, c.Auth(context.Background(), OAuthBearerAuth("alice", token)))
	require.NoError(t, <-f.Errs)
	require.Equal(t, "AUTH OAUTHBEARER", <-f.Lines)
	require.Len(t, <-f.Lines, 4*((len("n,a=alice,\x01auth=Bearer \x01\x01")+300+2)/3))
}

// TestClient_RFC5034_Scram runs clienttest's SCRAM checks on the client,
// which learns the SASL list with CAPA: -PLUS over TLS, the base
// mechanism in cleartext, the TRANSACTION state after a login, and a
// wrong password refused with -ERR [AUTH].
func TestClient_RFC5034_Scram(t *testing.T) {
	clienttest.Scram(t, clienttest.POP3, scramMechanisms, dialScram)
}

// pop3Client is a Client over conn.
func pop3Client(t *testing.T, conn net.Conn) *Client {
	c, err := NewClient(context.Background(), conn, nil)
	require.NoError(t, err)
	return c
}

// dialScram makes the Client of clienttest.Scram.
func dialScram(t *testing.T, conn net.Conn) clienttest.Client {
	return scramClient{pop3Client(t, conn)}
}

// scramMechanisms are the package's SCRAM constructors.
var scramMechanisms = clienttest.Mechanisms{SHA256: ScramSHA256Auth, SHA256Plus: ScramSHA256PlusAuth, SHA1: ScramSHA1Auth, SHA1Plus: ScramSHA1PlusAuth}

// scramClient is the Client as clienttest drives it.
type scramClient struct{ *Client }

// Ping sends NOOP in the TRANSACTION state, where RFC 1939 section 5
// allows it, and CAPA before (RFC 2449 section 5).
func (c scramClient) Ping(ctx context.Context) error {
	if c.LoggedIn() {
		return c.Noop(ctx)
	}
	_, err := c.Capa(ctx)
	return err
}

// LoggedIn reports the TRANSACTION state.
func (c scramClient) LoggedIn() bool { return c.State() == StateTransaction }

// Refused: -ERR [AUTH] answers wrong credentials (RFC 3206 section 4).
func (scramClient) Refused(err error) bool {
	return clienttest.Refusal(err, func(r *Response) bool { return r.Code == CodeAuth })
}
