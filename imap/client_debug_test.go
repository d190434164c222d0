package imap_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/stretchr/testify/require"
)

// TestClientDebugHidesCredentials checks that Options.Debug shows the
// exchange but not the password of LOGIN or of AUTHENTICATE PLAIN (whose
// base64 response carries it), and that the tap is safe while the read
// loop and the caller write to it at once (run with -race).
func TestClientDebugHidesCredentials(t *testing.T) {
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithUser("alice", "s3cret-pw"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for _, auth := range []string{"login", "plain"} {
		var trace bytes.Buffer // no lock: the tap must serialise writes itself
		c, err := imap.Dial(ctx, srv.Addr, &imap.Options{Debug: &trace})
		require.NoError(t, err)
		if auth == "login" {
			require.NoError(t, c.Login(ctx, "alice", "s3cret-pw"))
		} else {
			require.NoError(t, c.Authenticate(ctx, imap.PlainAuth("", "alice", "s3cret-pw")))
		}
		_, err = c.Select(ctx, "INBOX", nil)
		require.NoError(t, err)
		require.NoError(t, c.Logout(ctx))

		out := trace.String()
		if auth == "login" {
			require.Contains(t, out, " LOGIN ***\n", auth)
		} else {
			require.Contains(t, out, " AUTHENTICATE PLAIN ***\n", auth)
		}
		require.Regexp(t, `(?m)^C: T\d+ SELECT INBOX$`, out, auth)
		require.Contains(t, out, "S: * OK [CAPABILITY ", auth)
		require.NotContains(t, out, "s3cret-pw", auth)
		require.NotContains(t, out, "czNjcmV0LXB3", auth) // base64 of the password's tail
		require.False(t, strings.Contains(out, "AGFsaWNlAHMzY3JldC1wdw"), auth)
	}
}
