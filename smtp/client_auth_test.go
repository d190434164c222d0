package smtp

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClient_RFC4954_Auth(t *testing.T) {
	ctx := context.Background()
	t.Run("PLAIN initial response", func(t *testing.T) {
		f := &fakeServer{}
		var trace bytes.Buffer
		c, _ := greetedClientWith(t, f, &Options{Debug: &trace})
		require.NoError(t, c.Auth(ctx, PlainAuth("", "alice", "secret")))
		assert.Equal(t, "AUTH PLAIN AGFsaWNlAHNlY3JldA==", f.Lines()[1])
		assert.Contains(t, trace.String(), "C: AUTH PLAIN ***\n")
		assert.NotContains(t, trace.String(), "AGFsaWNlAHNlY3JldA")
		assert.Contains(t, trace.String(), "S: 235 2.7.0 Authentication successful\n")
		require.NoError(t, c.Send(ctx, "a@b.test", []string{"c@d.test"}, strings.NewReader("x\r\n"), nil))
	})
	t.Run("LOGIN challenges", func(t *testing.T) {
		f := &fakeServer{}
		var trace bytes.Buffer
		c, _ := greetedClientWith(t, f, &Options{Debug: &trace})
		require.NoError(t, c.Auth(ctx, LoginAuth("alice", "secret")))
		assert.Equal(t, []string{"AUTH LOGIN", "YWxpY2U=", "c2VjcmV0"}, f.Lines()[1:4])
		assert.NotContains(t, trace.String(), "c2VjcmV0")
		assert.Contains(t, trace.String(), "C: ***\n")
	})
	t.Run("wrong password", func(t *testing.T) {
		c, _ := greetedClient(t, &fakeServer{})
		r := asReply(t, c.Auth(ctx, PlainAuth("", "alice", "nope")))
		assert.Equal(t, CodeAuthInvalid, r.Code)
		assert.Equal(t, EnhancedCode{5, 7, 8}, r.Enhanced)
		require.NoError(t, c.Noop(ctx))
	})
	t.Run("malformed challenge cancels with *", func(t *testing.T) {
		f := &fakeServer{}
		c, _ := greetedClient(t, f)
		err := c.Auth(ctx, &scriptedSASL{mech: "X-NOTBASE64"})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "cancelled")
		assert.Equal(t, "*", f.Lines()[len(f.Lines())-1])
		require.NoError(t, c.Noop(ctx))
	})
	t.Run("client error cancels with *", func(t *testing.T) {
		f := &fakeServer{}
		c, _ := greetedClient(t, f)
		boom := errors.New("no answer")
		err := c.Auth(ctx, &scriptedSASL{mech: "LOGIN", err: boom})
		require.ErrorIs(t, err, boom)
		assert.Equal(t, []string{"AUTH LOGIN", "*"}, f.Lines()[1:])
	})
	t.Run("empty initial response is =", func(t *testing.T) {
		f := &fakeServer{}
		c, _ := greetedClient(t, f)
		assert.Error(t, c.Auth(ctx, &scriptedSASL{mech: "PLAIN", ir: []byte{}}))
		assert.Equal(t, "AUTH PLAIN =", f.Lines()[1])
	})
	t.Run("mechanism not offered", func(t *testing.T) {
		c, rc := greetedClient(t, &fakeServer{})
		n := len(rc.Writes())
		require.ErrorIs(t, c.Auth(ctx, XOAuth2Auth("u", "t")), ErrClientState)
		require.ErrorIs(t, c.Auth(ctx, &scriptedSASL{mech: "bad mech"}), ErrInvalidArgument)
		assert.Len(t, rc.Writes(), n)
	})
}

// scriptedSASL is a SASL client for the error paths of Auth.
type scriptedSASL struct {
	mech string
	ir   []byte
	err  error
}

func (s *scriptedSASL) Start() (string, []byte, error) { return s.mech, s.ir, nil }

func (s *scriptedSASL) Next([]byte) ([]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	return []byte("x"), nil
}

func TestClient_RFC3207_StartTLS(t *testing.T) {
	ctx := context.Background()
	pair, err := testcert.New()
	require.NoError(t, err)
	f := &fakeServer{tls: pair.ServerConfig()}
	c, _ := greetedClient(t, f)
	_, ok := c.TLSConnectionState()
	assert.False(t, ok)
	assert.ErrorIs(t, c.StartTLS(ctx, nil), ErrInvalidArgument, "no host name to verify")

	cfg := pair.ClientConfig()
	cfg.ServerName = "localhost"
	require.NoError(t, c.StartTLS(ctx, cfg))
	st, ok := c.TLSConnectionState()
	require.True(t, ok)
	assert.True(t, st.HandshakeComplete)
	assert.Equal(t, []string{"EHLO client.test", "STARTTLS", "EHLO client.test"}, f.Lines(), "EHLO again after TLS (4.2)")
	assert.ErrorIs(t, c.StartTLS(ctx, cfg), ErrClientState, "TLS is already on")
	require.NoError(t, c.Auth(ctx, PlainAuth("", "alice", "secret")))
	require.NoError(t, c.Send(ctx, "a@b.test", []string{"c@d.test"}, strings.NewReader("x\r\n"), nil))
	assert.Equal(t, "x\r\n", f.Messages()[0].data)
}

func TestClient_RFC3207_6_ResponseInjectionRefused(t *testing.T) {
	pair, err := testcert.New()
	require.NoError(t, err)
	f := &fakeServer{tls: pair.ServerConfig(), afterSTARTTLS: "\n250 2.1.0 injected before TLS"}
	c, _ := greetedClient(t, f)
	cfg := pair.ClientConfig()
	cfg.ServerName = "localhost"
	err = c.StartTLS(context.Background(), cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "after its STARTTLS answer")
	require.Error(t, c.Noop(context.Background()), "the connection is dropped")
}

func TestClient_RFC4954_4_InsecureAuth(t *testing.T) {
	remote := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 25}
	loopback := &net.TCPAddr{IP: net.IPv6loopback, Port: 25}
	for _, tc := range []struct {
		name     string
		peer     net.Addr
		insecure bool
		want     error
	}{
		{"cleartext to a remote host", remote, false, ErrInsecureAuth},
		{"cleartext to a remote host, allowed", remote, true, nil},
		{"cleartext to loopback", loopback, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The address is what matters, not the pipe under it.
			f := &fakeServer{ext: standardExt}
			rc := f.start(t)
			conn := remoteAddrConn{rc, tc.peer}
			c, err := NewClient(context.Background(), conn, &Options{InsecureAuth: tc.insecure})
			require.NoError(t, err)
			require.NoError(t, c.Hello(context.Background(), ""))
			n := len(rc.Writes())
			err = c.Auth(context.Background(), PlainAuth("", "alice", "secret"))
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				assert.Len(t, rc.Writes(), n, "nothing sent")
				require.NoError(t, c.Noop(context.Background()), "the session goes on")
				return
			}
			require.NoError(t, err)
		})
	}
}

type remoteAddrConn struct {
	net.Conn
	addr net.Addr
}

func (c remoteAddrConn) RemoteAddr() net.Addr { return c.addr }
