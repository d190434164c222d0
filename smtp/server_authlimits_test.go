package smtp

import (
	"encoding/base64"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/netserver/attack"
)

// TestMaxAuthFailures_RFC4954_14: a session may fail AUTH
// MaxAuthFailures-1 times and go on; the failure that reaches the limit
// is answered 535 and then 421 4.7.0, and the connection closes.
func TestMaxAuthFailures_RFC4954_14(t *testing.T) {
	_, _, addr := submission(t, func(s *Server) { s.AuthFailureDelay, s.MaxAuthFailures = -1, 3 })
	nc, br := attack.DialFrom(t, "127.0.0.1", addr)
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	require.True(t, hello(nc, br))
	for range 2 { // below the limit
		io.WriteString(nc, authPlain("alice", "guess"))
		require.True(t, strings.HasPrefix(lastLine(br), "535 5.7.8 "))
	}
	io.WriteString(nc, "NOOP\r\n")
	require.Equal(t, "250 2.0.0 OK", lastLine(br), "the session goes on")
	io.WriteString(nc, authPlain("alice", "guess")) // at the limit
	require.True(t, strings.HasPrefix(lastLine(br), "535 5.7.8 "))
	require.Equal(t, "421 4.7.0 mx.test Too many authentication failures, closing connection", lastLine(br))
	require.Equal(t, "", lastLine(br), "closed")
}

// TestMaxAuthLineLength_RFC4954_4: a SASL response line of
// MaxAuthLineLength octets, CRLF included, is read and checked (535 for
// a wrong password); one octet longer is refused with 500 5.5.2 and the
// session goes on.
func TestMaxAuthLineLength_RFC4954_4(t *testing.T) {
	resp := base64.StdEncoding.EncodeToString([]byte("\x00alice\x00" + strings.Repeat("x", 68))) // 100 octets
	require.Len(t, resp, 100)
	for _, tc := range []struct {
		name  string
		limit int
		want  string
	}{
		{"at the limit", 102, "535 5.7.8 "},
		{"one past the limit", 101, "500 5.5.2 Line too long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, addr := submission(t, func(s *Server) { s.AuthFailureDelay, s.MaxAuthLineLength = -1, tc.limit })
			nc, br := attack.DialFrom(t, "127.0.0.1", addr)
			nc.SetDeadline(time.Now().Add(5 * time.Second))
			require.True(t, hello(nc, br))
			io.WriteString(nc, "AUTH PLAIN\r\n")
			require.Equal(t, "334 ", lastLine(br))
			io.WriteString(nc, resp+"\r\n")
			require.True(t, strings.HasPrefix(lastLine(br), tc.want), tc.want)
			io.WriteString(nc, "NOOP\r\n")
			require.Equal(t, "250 2.0.0 OK", lastLine(br))
		})
	}
}
