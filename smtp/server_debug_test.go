package smtp

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestDebugRedactsCredentials_RFC4954_4 checks that the Debug trace shows
// the exchange but never the AUTH initial response or the SASL responses,
// which carry the password.
func TestDebugRedactsCredentials_RFC4954_4(t *testing.T) {
	var trace testutil.LockedBuffer
	srv := &Server{Domain: "mx.test", Backend: &testBackend{}, AllowInsecureAuth: true, Debug: &trace}
	addr := servertest.Serve(t, srv)

	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	expect := func(prefix string) {
		t.Helper()
		for {
			line, err := br.ReadString('\n')
			require.NoError(t, err)
			if len(line) < 4 || line[3] != '-' {
				require.True(t, strings.HasPrefix(line, prefix), "got %q, want %q", line, prefix)
				return
			}
		}
	}
	send := func(s string) { c.Write([]byte(s + "\r\n")) }
	expect("220 ")
	send("EHLO client.test")
	expect("250 ")
	send("AUTH PLAIN AGFsaWNlAHNlY3JldA==") // \0alice\0secret
	expect("235 ")
	send("RSET")
	expect("250 ")
	send("QUIT")
	expect("221 ")

	// A second session with the LOGIN exchange.
	c2, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c2.Close()
	c, br = c2, bufio.NewReader(c2)
	expect("220 ")
	send("EHLO client.test")
	expect("250 ")
	send("AUTH LOGIN")
	expect("334 ")
	send("YWxpY2U=")
	expect("334 ")
	send("c2VjcmV0")
	expect("235 ")
	send("QUIT")
	expect("221 ")

	require.Eventually(t, func() bool { return strings.Count(trace.String(), "QUIT") == 2 }, 5*time.Second, 10*time.Millisecond)
	out := trace.String()
	require.Contains(t, out, "C: EHLO client.test")
	require.Contains(t, out, "S: 250 2.0.0 OK")
	require.Contains(t, out, "C: AUTH PLAIN ***")
	require.Contains(t, out, "C: AUTH LOGIN")
	for _, secret := range []string{"AGFsaWNlAHNlY3JldA==", "c2VjcmV0", "YWxpY2U=", "secret"} {
		require.NotContains(t, out, secret)
	}
}
