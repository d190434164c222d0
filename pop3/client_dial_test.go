package pop3_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

// scriptedServer accepts one connection on a loopback port, greets,
// answers each command with answers[verb] ("-ERR" when missing) and
// returns the lines it read once the client hangs up.
func scriptedServer(t *testing.T, answers map[string]string) (addr string, lines <-chan []string) {
	t.Helper()
	out := make(chan []string, 1)
	addr = testutil.ServeOnce(t, func(nc net.Conn) {
		var got []string
		defer func() { out <- got }()
		nc.Write([]byte("+OK ready\r\n"))
		br := bufio.NewReader(nc)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return // the client closed the connection
			}
			line = strings.TrimRight(line, "\r\n")
			got = append(got, line)
			answer, ok := answers[strings.ToUpper(line)]
			if !ok {
				answer = "-ERR unknown"
			}
			nc.Write([]byte(answer + "\r\n"))
		}
	})
	return addr, out
}

// TestDialStartTLS_RFC2595_4: DialStartTLS never goes on in cleartext. A
// server without STLS, one that refuses it and one whose handshake fails
// all give an error, the connection closed and no command after STLS.
func TestDialStartTLS_RFC2595_4(t *testing.T) {
	capa := "+OK\r\nUSER\r\nSTLS\r\n."
	for _, tc := range []struct {
		name    string
		answers map[string]string
		want    []string
		wantErr error
	}{
		{"no STLS offered", map[string]string{"CAPA": "+OK\r\nUSER\r\n."}, []string{"CAPA"}, pop3.ErrClientState},
		{"no CAPA", map[string]string{}, []string{"CAPA"}, pop3.ErrClientState},
		{"STLS refused", map[string]string{"CAPA": capa, "STLS": "-ERR not now"}, []string{"CAPA", "STLS"}, nil},
		{"handshake fails", map[string]string{"CAPA": capa, "STLS": "+OK go ahead"}, []string{"CAPA", "STLS"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, lines := scriptedServer(t, tc.answers)
			c, err := pop3.DialStartTLS(testContext(t), addr, &pop3.Options{TLSConfig: &tls.Config{ServerName: "example.test"}})
			require.Error(t, err)
			require.Nil(t, c)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
			}
			got := <-lines // returns only once the client has closed
			require.Equal(t, tc.want, got[:min(len(got), len(tc.want))])
			for _, l := range got[min(len(got), len(tc.want)):] {
				require.NotRegexp(t, `^[A-Z]{3,4}( |$)`, l, "a command after STLS in cleartext")
			}
		})
	}
}

// TestClient_CapsAroundSTLS_RFC2595_4: Caps is ready after Dial, cleared by
// the upgrade, and holds the list the server gives over TLS, asked again
// by StartTLS; Capa refreshes it in TRANSACTION (RFC 2449 section 5).
func TestClient_CapsAroundSTLS_RFC2595_4(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithTLS(), pop3test.WithUser("alice", "secret"))
	ctx := testContext(t)
	c, err := pop3.DialStartTLS(ctx, ts.Addr, &pop3.Options{TLSConfig: ts.ClientTLSConfig()})
	require.NoError(t, err)
	defer c.Close()
	caps, err := c.Caps()
	require.NoError(t, err)
	require.False(t, caps.Has("STLS"), "the list from before TLS is gone")
	require.True(t, c.Supports("user"), "USER is offered over TLS")
	caps["USER"] = nil
	delete(caps, "USER")
	require.True(t, c.Supports("USER"), "Caps returns a copy")

	require.NoError(t, c.Login(ctx, "alice", "secret"))
	caps, err = c.Capa(ctx)
	require.NoError(t, err)
	require.False(t, caps.Has("USER"), "TRANSACTION list")
	require.False(t, c.Supports("USER"))

	plain, err := pop3.Dial(ctx, ts.Addr, nil)
	require.NoError(t, err)
	defer plain.Close()
	require.True(t, plain.Supports("STLS"), "Dial sent CAPA")
}

// TestClient_CapsBeforeCAPA: a server that answers CAPA with -ERR leaves
// an empty set (RFC 2449 section 5); a broken upgrade leaves none, and
// Caps says so with ErrClientState.
func TestClient_CapsBeforeCAPA(t *testing.T) {
	addr, _ := scriptedServer(t, map[string]string{"STLS": "+OK"})
	ctx := testContext(t)
	c, err := pop3.Dial(ctx, addr, nil)
	require.NoError(t, err)
	defer c.Close()
	caps, err := c.Caps()
	require.NoError(t, err)
	require.Empty(t, caps)
	require.Error(t, c.StartTLS(ctx, &tls.Config{ServerName: "example.test"}))
	_, err = c.Caps()
	require.ErrorIs(t, err, pop3.ErrClientState)
	require.False(t, c.Supports("USER"))
}

// TestClient_Debug: the trace has "C: " and "S: " lines, credentials
// replaced by "***" (RFC 1939 section 7, RFC 5034 section 4) and message
// data by its size.
func TestClient_Debug(t *testing.T) {
	msg := []byte("Subject: secret mail\r\n\r\nbody\r\n")
	ts := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "pa55word", msg))
	for _, tc := range []struct {
		name  string
		login func(context.Context, *pop3.Client) error
		want  string
	}{
		{"USER PASS", func(ctx context.Context, c *pop3.Client) error { return c.Login(ctx, "alice", "pa55word") }, "C: PASS ***\n"},
		{"APOP", func(ctx context.Context, c *pop3.Client) error { return c.APOP(ctx, "alice", "pa55word") }, "C: APOP alice ***\n"},
		{"AUTH PLAIN", func(ctx context.Context, c *pop3.Client) error {
			return c.Auth(ctx, pop3.PlainAuth("", "alice", "pa55word"))
		}, "C: AUTH PLAIN ***\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var trace bytes.Buffer
			ctx := testContext(t)
			c, err := pop3.Dial(ctx, ts.Addr, &pop3.Options{Debug: &trace})
			require.NoError(t, err)
			defer c.Close()
			require.NoError(t, tc.login(ctx, c))
			r, err := c.Retr(ctx, 1)
			require.NoError(t, err)
			require.NoError(t, r.Close())
			require.NoError(t, c.Quit(ctx))

			out := trace.String()
			require.True(t, strings.HasPrefix(out, "S: +OK "), out)
			require.Contains(t, out, "C: CAPA\nS: +OK")
			require.Contains(t, out, "S: USER\n", "CAPA lines are shown")
			require.Contains(t, out, tc.want)
			require.Contains(t, out, "C: RETR 1\nS: +OK")
			require.Contains(t, out, "S: [30 octets]\nS: .\nC: QUIT\n")
			require.NotContains(t, out, "pa55word")
			require.NotContains(t, out, "secret mail")
			require.NotContains(t, out, "YWxpY2")
			for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				require.Regexp(t, `^[CS]: `, l)
			}
		})
	}
}
