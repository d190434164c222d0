package pop3_test

import (
	"context"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/dovecottest"
	"github.com/mailwire/mailwire/pop3"
	"github.com/stretchr/testify/require"
)

// TestClient_Dovecot_SCRAM_RFC5802 authenticates with SCRAM-SHA-256 and
// SCRAM-SHA-1 against Dovecot's POP3 server (which verifies the client's
// proof and sends its own signature, which the client checks), over STLS
// and implicit TLS, and sees a wrong password refused. Dovecot 2.3 offers
// no -PLUS, so the client tells it "y" (RFC 5802 section 6).
func TestClient_Dovecot_SCRAM_RFC5802(t *testing.T) {
	s := dovecottest.Start(t, dovecottest.Config{
		Protocols:      []string{"pop3"},
		AuthMechanisms: "plain scram-sha-1 scram-sha-256",
		Extra:          "auth_failure_delay = 0\n",
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	c, err := pop3.Dial(ctx, s.POP3, nil)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.StartTLS(ctx, s.ClientTLS))
	caps, err := c.Capa(ctx)
	require.NoError(t, err)
	require.Subset(t, caps["SASL"], []string{"SCRAM-SHA-1", "SCRAM-SHA-256"})
	require.NoError(t, c.Auth(ctx, pop3.ScramSHA256Auth("alice", "secret")))
	require.Equal(t, pop3.StateTransaction, c.State())
	_, _, err = c.Stat(ctx)
	require.NoError(t, err)

	c2, err := pop3.DialTLS(ctx, s.POP3S, &pop3.Options{TLSConfig: s.ClientTLS})
	require.NoError(t, err)
	defer c2.Close()
	var resp *pop3.Response
	require.ErrorAs(t, c2.Auth(ctx, pop3.ScramSHA256Auth("alice", "wrong")), &resp)
	require.False(t, resp.OK)
	require.NoError(t, c2.Auth(ctx, pop3.ScramSHA1Auth("alice", "secret")))
	require.Equal(t, pop3.StateTransaction, c2.State())
}
