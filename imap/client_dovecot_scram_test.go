package imap

import (
	"context"
	"testing"

	"github.com/mailwire/mailwire/internal/dovecottest"
	"github.com/mailwire/mailwire/internal/sasl/sasltest/clienttest"
	"github.com/stretchr/testify/require"
)

// TestDovecot_Scram_RFC5802 runs clienttest's Dovecot checks on the
// client: over STARTTLS with SASL-IR and over implicit TLS, a wrong
// password refused with a tagged NO; once logged in the client selects
// INBOX, and at the end it logs out.
func TestDovecot_Scram_RFC5802(t *testing.T) {
	var clients []*Client
	clienttest.Dovecot(t, "imap", scramMechanisms, func(t *testing.T, ctx context.Context, s *dovecottest.Server, starttls bool) clienttest.Client {
		c := dialDovecot(t, ctx, s, starttls)
		clients = append(clients, c)
		return dovecotClient{scramClient{c}}
	})
	for _, c := range clients {
		require.NoError(t, c.Logout(testCtx(t)))
	}
}

// dialDovecot connects to s with STARTTLS, where Dovecot advertises
// SCRAM-SHA-256 and SASL-IR (RFC 4959), or with implicit TLS.
func dialDovecot(t *testing.T, ctx context.Context, s *dovecottest.Server, starttls bool) *Client {
	if !starttls {
		c, err := DialTLS(ctx, s.IMAPS, &Options{TLSConfig: s.ClientTLS})
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		return c
	}
	c, err := DialStartTLS(ctx, s.IMAP, &Options{TLSConfig: s.ClientTLS})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	caps, err := c.Caps()
	require.NoError(t, err)
	require.True(t, caps.Has("AUTH=SCRAM-SHA-256"))
	require.True(t, caps.Has(CapSASLIR))
	return c
}

// dovecotClient goes on after a login by selecting INBOX.
type dovecotClient struct{ scramClient }

// Ping selects INBOX.
func (c dovecotClient) Ping(ctx context.Context) error {
	_, err := c.Select(ctx, "INBOX", nil)
	return err
}
