package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"testing"

	"github.com/mailwire/mailwire/internal/sasl"
	"github.com/mailwire/mailwire/internal/sasl/sasltest/clienttest"
	"github.com/stretchr/testify/require"
)

// TestClient_RFC4959_NoSASLIR: without SASL-IR the client-first-message
// waits for the first continuation.
func TestClient_RFC4959_NoSASLIR(t *testing.T) {
	ctx := testCtx(t)
	d := clienttest.IMAP
	d.Greeting = "* OK [CAPABILITY IMAP4rev1 {mechs}] fake IMAP"
	f := &clienttest.Server{Dialect: d, Mechs: []string{"SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"}}
	c := scramIMAPClient(t, f.Connect(t, tls.VersionTLS12))
	require.NoError(t, c.Authenticate(ctx, ScramSHA256Auth("alice", "pencil")))
	require.NoError(t, <-f.Errs)
	require.Equal(t, "T1 AUTHENTICATE SCRAM-SHA-256-PLUS", <-f.Lines)
	require.Equal(t, StateAuthenticated, c.State())
	require.NoError(t, c.Noop(ctx))
}

// TestClient_RFC3501_6_2_2_Scram runs clienttest's SCRAM checks on the
// client: with SASL-IR the client-first-message goes on the command line
// (RFC 4959), over TLS the client moves to -PLUS (RFC 5802 section 6), a
// wrong password is the tagged NO, and after a failure the client stays
// not authenticated and usable.
func TestClient_RFC3501_6_2_2_Scram(t *testing.T) {
	clienttest.Scram(t, clienttest.IMAP, scramMechanisms, func(t *testing.T, conn net.Conn) clienttest.Client {
		return scramClient{scramIMAPClient(t, conn)}
	})
}

// failingNext starts like its mechanism and fails at the first challenge.
type failingNext struct{ SASLClient }

// Next fails instead of answering the challenge.
func (failingNext) Next([]byte) ([]byte, error) { return nil, errors.New("no answer") }

// TestClient_RFC3501_6_2_2_Cancel: a mechanism error sends "*"; the
// server's BAD ends the command, the reason is returned and the client
// goes on.
func TestClient_RFC3501_6_2_2_Cancel(t *testing.T) {
	ctx := testCtx(t)
	f := &clienttest.Server{Dialect: clienttest.IMAP, Mechs: []string{"SCRAM-SHA-256"}}
	c := scramIMAPClient(t, f.Connect(t, 0))
	err := c.Authenticate(ctx, failingNext{ScramSHA256Auth("alice", "pencil")})
	require.ErrorContains(t, err, "SCRAM-SHA-256 cancelled: no answer")
	require.ErrorIs(t, <-f.Errs, sasl.ErrCancelled)
	<-f.Lines
	require.Equal(t, "*", <-f.Lines)
	require.NoError(t, c.Noop(ctx))
	require.Equal(t, StateNotAuthenticated, c.State())
}

// scramIMAPClient is a Client over conn, closed when t ends.
func scramIMAPClient(t *testing.T, conn net.Conn) *Client {
	return newTestClient(t, conn, nil)
}

// scramMechanisms are the package's SCRAM constructors.
var scramMechanisms = clienttest.Mechanisms{SHA256: ScramSHA256Auth, SHA256Plus: ScramSHA256PlusAuth, SHA1: ScramSHA1Auth, SHA1Plus: ScramSHA1PlusAuth}

// scramClient is the Client as clienttest drives it.
type scramClient struct{ *Client }

// Auth runs AUTHENTICATE.
func (c scramClient) Auth(ctx context.Context, mech SASLClient) error {
	return c.Authenticate(ctx, mech)
}

// Ping sends NOOP.
func (c scramClient) Ping(ctx context.Context) error { return c.Noop(ctx) }

// LoggedIn reports the Authenticated state.
func (c scramClient) LoggedIn() bool { return c.State() == StateAuthenticated }

// Refused: a tagged NO answers wrong credentials (RFC 3501 section
// 6.2.2).
func (scramClient) Refused(err error) bool {
	return clienttest.Refusal(err, func(r *StatusResponse) bool { return r.Type == StatusNO })
}
