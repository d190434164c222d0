package smtp

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClient_RFC3207_DialStartTLS checks that DialStartTLS upgrades the
// connection and says EHLO again (RFC 3207 4.2), and that it never goes on
// in cleartext: without STARTTLS offered, or with a failed handshake, it
// returns an error and the client sends nothing more.
func TestClient_RFC3207_DialStartTLS(t *testing.T) {
	pair, err := testcert.New()
	require.NoError(t, err)
	noSTARTTLS := []string{"PIPELINING", "8BITMIME"}
	for _, tc := range []struct {
		name    string
		ext     []string
		client  *tls.Config
		wantErr error // for a failure, nil when any error will do
		ok      bool
		lines   []string // what the server received
	}{
		{"offered", standardExt, pair.ClientConfig(), nil, true,
			[]string{"EHLO localhost", "STARTTLS", "EHLO localhost", "QUIT"}},
		{"not offered", noSTARTTLS, pair.ClientConfig(), ErrClientState, false,
			[]string{"EHLO localhost"}},
		{"untrusted certificate", standardExt, &tls.Config{}, nil, false,
			[]string{"EHLO localhost", "STARTTLS"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := &fakeServer{ext: tc.ext, tls: pair.ServerConfig()}
			addr, wait := f.listen(t)
			var trace bytes.Buffer
			c, err := DialStartTLS(ctx, addr, &Options{TLSConfig: tc.client, Debug: &trace})
			if tc.ok {
				require.NoError(t, err)
				_, isTLS := c.TLSConnectionState()
				assert.True(t, isTLS)
				assert.True(t, c.Supports("AUTH"), "the second EHLO was read")
				require.NoError(t, c.Quit(ctx))
			} else {
				require.Error(t, err)
				if tc.wantErr != nil {
					require.ErrorIs(t, err, tc.wantErr)
				}
				assert.Nil(t, c)
			}
			wait()
			assert.Equal(t, tc.lines, f.Lines(), "what the server received")
			assert.True(t, strings.HasPrefix(trace.String(), "S: 220 fake.test ESMTP\n"), "Debug sees the greeting: %q", trace.String())
		})
	}
}

// TestClient_Caps checks the capability queries before and after EHLO and
// after a HELO fallback.
func TestClient_Caps(t *testing.T) {
	ctx := context.Background()
	c, _ := fakeClient(t, &fakeServer{ext: []string{"SIZE 1000", "DSN"}}, nil)
	_, err := c.Caps()
	require.ErrorIs(t, err, ErrClientState, "before EHLO")
	assert.False(t, c.Supports("DSN"))
	require.NoError(t, c.Hello(ctx, "client.test"))
	caps, err := c.Caps()
	require.NoError(t, err)
	assert.Equal(t, Caps{"SIZE": "1000", "DSN": ""}, caps)
	assert.True(t, caps.Has("dsn"))
	caps["STARTTLS"] = ""
	assert.False(t, c.Supports("STARTTLS"), "Caps returns a copy")

	c, _ = fakeClient(t, &fakeServer{}, nil) // 502 to EHLO: HELO
	require.NoError(t, c.Hello(ctx, "client.test"))
	caps, err = c.Caps()
	require.NoError(t, err)
	assert.Empty(t, caps)
}

// TestClient_ErrClosed checks that a closed client, and one whose server
// hung up, report ErrClosed.
func TestClient_ErrClosed(t *testing.T) {
	ctx := context.Background()
	c, _ := greetedClient(t, &fakeServer{})
	require.NoError(t, c.Close())
	require.ErrorIs(t, c.Noop(ctx), ErrClosed)

	cc, sc := net.Pipe()
	go func() {
		defer sc.Close()
		sc.Write([]byte("220 hi\r\n"))
		bufio.NewReader(sc).ReadString('\n') // the NOOP, then hang up
	}()
	c, err := NewClient(ctx, cc, nil)
	require.NoError(t, err)
	err = c.Noop(ctx)
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.ErrorIs(t, c.Noop(ctx), ErrClosed, "and every later call")
}
