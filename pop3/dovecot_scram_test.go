package pop3

import (
	"context"
	"testing"

	"github.com/mailwire/mailwire/internal/dovecottest"
	"github.com/mailwire/mailwire/internal/sasl/sasltest/clienttest"
	"github.com/stretchr/testify/require"
)

// TestClient_Dovecot_SCRAM_RFC5802 runs clienttest's Dovecot checks on
// the client, over STLS and implicit TLS: a wrong password is refused
// with -ERR [AUTH], and once logged in the client answers STAT.
func TestClient_Dovecot_SCRAM_RFC5802(t *testing.T) {
	clienttest.Dovecot(t, "pop3", scramMechanisms, func(t *testing.T, ctx context.Context, s *dovecottest.Server, stls bool) clienttest.Client {
		if !stls {
			c, err := DialTLS(ctx, s.POP3S, &Options{TLSConfig: s.ClientTLS})
			require.NoError(t, err)
			t.Cleanup(func() { c.Close() })
			return statClient{scramClient{c}}
		}
		c, err := Dial(ctx, s.POP3, nil)
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		require.NoError(t, c.StartTLS(ctx, s.ClientTLS))
		caps, err := c.Capa(ctx)
		require.NoError(t, err)
		require.Subset(t, caps["SASL"], []string{"SCRAM-SHA-1", "SCRAM-SHA-256"})
		return statClient{scramClient{c}}
	})
}

// statClient goes on after a login with STAT (RFC 1939 section 5).
type statClient struct{ scramClient }

// Ping sends STAT.
func (c statClient) Ping(ctx context.Context) error {
	_, _, err := c.Stat(ctx)
	return err
}
