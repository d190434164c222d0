package imap

import (
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
	for _, tc := range []struct {
		name     string
		peer     net.Addr
		insecure bool
		refused  bool
	}{
		{"cleartext to a remote host", remote, false, true},
		{"cleartext to a remote host, allowed", remote, true, false},
		{"cleartext to loopback", loopback, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			for _, login := range []func(c *Client) error{
				func(c *Client) error { return c.Login(ctx, "alice", "secret") },
				func(c *Client) error { return c.Authenticate(ctx, PlainAuth("", "alice", "secret")) },
			} {
				c, cc := clientIn(t, StateNotAuthenticated, tc.peer, &Options{InsecureAuth: tc.insecure})
				before := cc.written.Load()
				err := login(c)
				if !tc.refused {
					require.NoError(t, err)
					assert.Equal(t, StateAuthenticated, c.State())
					continue
				}
				require.ErrorIs(t, err, ErrInsecureAuth)
				assert.Equal(t, before, cc.written.Load(), "nothing sent")
				assert.Equal(t, StateNotAuthenticated, c.State())
				require.NoError(t, c.Noop(ctx), "the session goes on")
			}
		})
	}
}
