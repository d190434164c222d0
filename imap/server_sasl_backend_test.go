package imap_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/internal/sasl/sasltest"
	"github.com/mailwire/mailwire/internal/servertest"
)

// tokenBackend adds a SASL mechanism of its own, X-TOKEN (sasltest.Token),
// to imapmem's.
type tokenBackend struct{ *imapmem.Backend }

func (tokenBackend) AuthMechanisms() []string { return []string{"X-TOKEN"} }

func (b tokenBackend) Auth(ctx context.Context, c *imap.Conn, _ string) (imap.SASLServer, func() (imap.User, error), error) {
	ex := &sasltest.Token{}
	return ex, func() (imap.User, error) { return b.OpenIdentity(ctx, c, ex.Identity()) }, nil
}

// TestSASLBackend_RFC3501_6_2_2 advertises and runs a backend's own
// mechanism: AUTH=X-TOKEN after SCRAM and before PLAIN, a challenge, a
// refused token as a failed login, an accepted one opening the user.
func TestSASLBackend_RFC3501_6_2_2(t *testing.T) {
	mem := imapmem.New()
	mem.AddUser("alice", "pencil")
	s := dialRaw(t, servertest.Serve(t, &imap.Server{Backend: tokenBackend{mem}, AllowInsecureAuth: true, AuthFailureDelay: -1}))
	untagged, _ := s.cmd("c", "CAPABILITY")
	require.Len(t, untagged, 1)
	require.Contains(t, untagged[0], "AUTH=SCRAM-SHA-1 AUTH=X-TOKEN AUTH=PLAIN AUTH=LOGIN")
	for _, tc := range []struct{ token, want string }{
		{"wrong", "a NO [AUTHENTICATIONFAILED] Authentication failed"},
		{"t0k3n", "a OK [CAPABILITY *"},
	} {
		s.step("a AUTHENTICATE X-TOKEN", "+ "+b64("token?"))
		s.step(b64("alice:"+tc.token), tc.want)
	}
	_, done := s.cmd("s", "SELECT INBOX")
	require.Contains(t, done, "s OK [READ-WRITE]")
}
