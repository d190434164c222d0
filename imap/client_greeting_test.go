package imap

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/testutil"
)

// greetAndClose is a server that sends one greeting line and hangs up, as
// RFC 3501 section 7.1.5 lets a server do that refuses the connection.
func greetAndClose(server net.Conn, greeting string) {
	io.WriteString(server, greeting)
	server.Close()
}

// TestGreetingBYE_RFC3501_7_1_5 checks that a BYE greeting followed by the
// server closing is the BYE itself as the error, reachable with errors.As,
// from NewClient and, on a client that did not stop at it, from a
// command, never a hang or a bare EOF. The closing races with the
// delivery of the greeting, so the exchange runs many times.
func TestGreetingBYE_RFC3501_7_1_5(t *testing.T) {
	ctx := testCtx(t)
	for range 50 {
		client, server := net.Pipe()
		go greetAndClose(server, "* BYE [UNAVAILABLE] too busy, try later\r\n")
		c, err := NewClient(ctx, client, nil)
		var resp *StatusResponse
		require.True(t, errors.As(err, &resp), "NewClient: %v", err)
		assert.Nil(t, c)
		assert.Equal(t, StatusBYE, resp.Type)
		assert.Equal(t, ResponseCode("UNAVAILABLE"), resp.Code)
		assert.Equal(t, "too busy, try later", resp.Text)

		client, server = net.Pipe()
		go greetAndClose(server, "* BYE [UNAVAILABLE] too busy, try later\r\n")
		c = startClient(client, "", nil)
		err = c.awaitGreeting(ctx)
		require.True(t, errors.As(err, &resp), "greeting: %v", err)
		assert.Equal(t, StatusBYE, resp.Type)
		assert.Equal(t, resp, c.Greeting())
		assert.Equal(t, StateLogout, c.State())
		err = c.Noop(ctx)
		require.True(t, errors.As(err, &resp), "NOOP: %v", err)
		assert.Equal(t, StatusBYE, resp.Type)
		<-c.Closed()
		c.Close()
	}
}

// TestDialGreetingBYE_RFC3501_7_1_5 checks the same over TCP through Dial.
func TestDialGreetingBYE_RFC3501_7_1_5(t *testing.T) {
	addr := testutil.ServeOnce(t, func(conn net.Conn) { greetAndClose(conn, "* BYE shutting down\r\n") })
	c, err := Dial(testCtx(t), addr, nil)
	var resp *StatusResponse
	require.True(t, errors.As(err, &resp), "Dial: %v", err)
	assert.Nil(t, c)
	assert.Equal(t, StatusBYE, resp.Type)
	assert.Equal(t, "shutting down", resp.Text)
}

// TestGreetingPREAUTH_RFC3501_7_1_4 checks that a PREAUTH greeting puts
// the client in the authenticated state without a login, and an OK one in
// the not-authenticated state (RFC 3501 section 3).
func TestGreetingPREAUTH_RFC3501_7_1_4(t *testing.T) {
	for greeting, want := range map[string]State{
		"* PREAUTH [CAPABILITY IMAP4rev1] logged in as alice\r\n": StateAuthenticated,
		"* OK [CAPABILITY IMAP4rev1] ready\r\n":                   StateNotAuthenticated,
	} {
		client, server := net.Pipe()
		go io.WriteString(server, greeting)
		c, err := NewClient(context.Background(), client, nil)
		require.NoError(t, err)
		assert.Equal(t, want, c.State(), greeting)
		caps, err := c.Caps()
		require.NoError(t, err)
		assert.True(t, caps.Has(CapIMAP4rev1), greeting)
		c.Close()
		server.Close()
	}
}
