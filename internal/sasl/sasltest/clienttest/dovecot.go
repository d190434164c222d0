package clienttest

import (
	"context"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/dovecottest"
	"github.com/stretchr/testify/require"
)

// DialDovecot connects a package's client to s, the Dovecot of Dovecot:
// to its plain listener and then into TLS with STARTTLS or STLS when
// starttls is true, else to its implicit-TLS listener (RFC 8314 section
// 3.3). It checks on the way what the server advertises, and closes the
// client when t ends.
type DialDovecot func(t *testing.T, ctx context.Context, s *dovecottest.Server, starttls bool) Client

// Dovecot authenticates with SCRAM-SHA-256 and SCRAM-SHA-1 against a
// private Dovecot (internal/dovecottest) serving protocol, "imap" or
// "pop3", which verifies the client's proof and signs back, which the
// client checks (RFC 5802 section 5); Dovecot offers no -PLUS, so the
// client tells it "y" (section 6). After STARTTLS, SCRAM-SHA-256 logs in
// and the client goes on (Ping); over implicit TLS a wrong password is
// refused, the client stays logged out, and SCRAM-SHA-1 then logs in.
// Without Dovecot the test is skipped, or fails when peers are required
// (internal/peertest).
func Dovecot(t *testing.T, protocol string, mechs Mechanisms, dial DialDovecot) {
	s := dovecottest.Start(t, dovecottest.Config{
		Protocols:      []string{protocol},
		AuthMechanisms: "plain scram-sha-1 scram-sha-256",
		Extra:          "auth_failure_delay = 0\n",
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	c := dial(t, ctx, s, true)
	require.NoError(t, c.Auth(ctx, mechs.SHA256("alice", "secret")))
	requireLoggedIn(t, c, true)
	require.NoError(t, c.Ping(ctx))

	c = dial(t, ctx, s, false)
	err := c.Auth(ctx, mechs.SHA256("alice", "wrong"))
	require.True(t, c.Refused(err), "%v is the server's refusal", err)
	requireLoggedIn(t, c, false)
	require.NoError(t, c.Auth(ctx, mechs.SHA1("alice", "secret")))
	requireLoggedIn(t, c, true)
}

// requireLoggedIn checks the state of a client that tells it.
func requireLoggedIn(t *testing.T, c Client, want bool) {
	t.Helper()
	if s, ok := c.(LoginState); ok {
		require.Equal(t, want, s.LoggedIn(), "logged in")
	}
}
