package imap_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
)

// tokenBackend adds a SASL mechanism of its own, X-TOKEN, whose single
// response is "user:token", to imapmem's.
type tokenBackend struct{ *imapmem.Backend }

func (tokenBackend) AuthMechanisms() []string { return []string{"X-TOKEN"} }

func (b tokenBackend) Auth(ctx context.Context, c *imap.Conn, _ string) (imap.SASLServer, func() (imap.User, error), error) {
	ex := &tokenExchange{}
	return ex, func() (imap.User, error) { return b.OpenIdentity(ctx, c, ex.user) }, nil
}

type tokenExchange struct{ user string }

func (e *tokenExchange) Next(resp []byte) ([]byte, bool, error) {
	if resp == nil {
		return []byte("token?"), false, nil
	}
	user, token, _ := strings.Cut(string(resp), ":")
	if token != "t0k3n" {
		return nil, false, errors.New("bad token")
	}
	e.user = user
	return nil, true, nil
}

func (e *tokenExchange) Identity() string { return e.user }

// TestSASLBackend_RFC3501_6_2_2 advertises and runs a backend's own
// mechanism: AUTH=X-TOKEN after SCRAM and before PLAIN, a challenge, a
// refused token as a failed login, an accepted one opening the user.
func TestSASLBackend_RFC3501_6_2_2(t *testing.T) {
	mem := imapmem.New()
	mem.AddUser("alice", "pencil")
	srv := &imap.Server{Backend: tokenBackend{mem}, AllowInsecureAuth: true, AuthFailureDelay: -1}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	s := dialRaw(t, l.Addr().String())
	untagged, _ := s.cmd("c", "CAPABILITY")
	require.Len(t, untagged, 1)
	caps := untagged[0]
	require.Contains(t, caps, "AUTH=SCRAM-SHA-1 AUTH=X-TOKEN AUTH=PLAIN AUTH=LOGIN")

	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct{ token, want string }{
		{"wrong", "a NO [AUTHENTICATIONFAILED] Authentication failed"},
		{"t0k3n", "a OK [CAPABILITY *"},
	} {
		_, err := s.nc.Write([]byte("a AUTHENTICATE X-TOKEN\r\n"))
		require.NoError(t, err)
		require.Equal(t, "+ "+b64("token?"), s.line())
		_, err = s.nc.Write([]byte(b64("alice:"+tc.token) + "\r\n"))
		require.NoError(t, err)
		got := s.line()
		if p, ok := strings.CutSuffix(tc.want, "*"); ok {
			require.True(t, strings.HasPrefix(got, p), got)
		} else {
			require.Equal(t, tc.want, got)
		}
	}
	_, done := s.cmd("s", "SELECT INBOX")
	require.Contains(t, done, "s OK [READ-WRITE]")
}
