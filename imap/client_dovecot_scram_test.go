package imap

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/dovecottest"
)

// TestDovecot_Scram_RFC5802 authenticates with SCRAM-SHA-256 and
// SCRAM-SHA-1 against Dovecot's IMAP server, over STARTTLS with SASL-IR
// and over implicit TLS, and sees a wrong password refused with a tagged
// NO. Dovecot verifies the proof and signs back, which the client checks
// (RFC 5802 section 5); it offers no -PLUS, so the client sends "y"
// (section 6).
func TestDovecot_Scram_RFC5802(t *testing.T) {
	s := dovecottest.Start(t, dovecottest.Config{
		Protocols:      []string{"imap"},
		AuthMechanisms: "plain scram-sha-1 scram-sha-256",
		Extra:          "auth_failure_delay = 0\n",
	})
	ctx := testCtx(t)

	c, err := DialStartTLS(ctx, s.IMAP, &Options{TLSConfig: s.ClientTLS})
	require.NoError(t, err)
	defer c.Close()
	caps, err := c.Caps()
	require.NoError(t, err)
	require.True(t, caps.Has("AUTH=SCRAM-SHA-256"))
	require.True(t, caps.Has(CapSASLIR))
	require.NoError(t, c.Authenticate(ctx, ScramSHA256Auth("alice", "secret")))
	require.Equal(t, StateAuthenticated, c.State())
	_, err = c.Select(ctx, "INBOX", nil)
	require.NoError(t, err)
	require.NoError(t, c.Logout(ctx))

	c, err = DialTLS(ctx, s.IMAPS, &Options{TLSConfig: s.ClientTLS})
	require.NoError(t, err)
	defer c.Close()
	err = c.Authenticate(ctx, ScramSHA256Auth("alice", "wrong"))
	var st *StatusResponse
	require.True(t, errors.As(err, &st), "%v", err)
	require.Equal(t, StatusNO, st.Type)
	require.Equal(t, StateNotAuthenticated, c.State())
	require.NoError(t, c.Authenticate(ctx, ScramSHA1Auth("alice", "secret")))
	require.Equal(t, StateAuthenticated, c.State())
	require.NoError(t, c.Logout(ctx))
}
