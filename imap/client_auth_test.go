package imap

import (
	"bufio"
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClient_InsecureAuth_RFC3501_11_1: LOGIN and AUTHENTICATE send
// nothing over a cleartext connection to a host that is not on a loopback
// address, and return ErrInsecureAuth, unless Options.InsecureAuth lets
// them; a loopback address is private enough.
func TestClient_InsecureAuth_RFC3501_11_1(t *testing.T) {
	remote := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 143}
	loopback := &net.TCPAddr{IP: net.IPv6loopback, Port: 143}
	ctx := testCtx(t)
	logins := map[Verb]func(c *Client) error{
		VerbLOGIN:        func(c *Client) error { return c.Login(ctx, "alice", "secret") },
		VerbAUTHENTICATE: func(c *Client) error { return c.Authenticate(ctx, PlainAuth("", "alice", "secret")) },
	}
	for v, login := range logins {
		c, cc := clientIn(t, StateNotAuthenticated, remote, nil)
		before := cc.written.Load()
		require.ErrorIs(t, login(c), ErrInsecureAuth, v)
		assert.Equal(t, before, cc.written.Load(), "%s sent something", v)
		assert.Equal(t, StateNotAuthenticated, c.State(), v)
		require.NoError(t, c.Noop(ctx), "the session goes on")

		c, _ = clientIn(t, StateNotAuthenticated, remote, &Options{InsecureAuth: true})
		require.NoError(t, login(c), "%s allowed by InsecureAuth", v)
		assert.Equal(t, StateAuthenticated, c.State(), v)
		c, _ = clientIn(t, StateNotAuthenticated, loopback, nil)
		require.NoError(t, login(c), "%s to loopback", v)
	}
}

// TestClient_LoginDisabled_RFC3501_6_2_3: while the server advertises
// LOGINDISABLED, Login sends nothing and returns an error wrapping
// ErrClientState ("A client implementation MUST NOT send a LOGIN
// command if the LOGINDISABLED capability is advertised"), whatever
// InsecureAuth says; AUTHENTICATE is still allowed.
func TestClient_LoginDisabled_RFC3501_6_2_3(t *testing.T) {
	ctx := testCtx(t)
	client := pipeServer("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=PLAIN] hi\r\n", func(br *bufio.Reader, server io.Writer) {
		eachCommand(br, func(tag, _ string) { io.WriteString(server, tag+" OK done\r\n") })
	})
	cc := &countingConn{Conn: client, remote: &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 143}}
	c := newTestClient(t, cc, &Options{InsecureAuth: true})
	before := cc.written.Load()
	require.ErrorIs(t, c.Login(ctx, "alice", "secret"), ErrClientState)
	assert.Equal(t, before, cc.written.Load(), "LOGIN sent something")
	require.NoError(t, c.Authenticate(ctx, PlainAuth("", "alice", "secret")))
	assert.Equal(t, StateAuthenticated, c.State())
}
