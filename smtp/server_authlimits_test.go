package smtp

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/servertest"
)

// TestMaxAuthLineLength_RFC4954_4: a SASL response line of
// MaxAuthLineLength octets, CRLF included, is read and checked (535 for
// a wrong password); one octet longer is refused with 500 5.5.2 and the
// session goes on. (MaxAuthFailures is one of TestThrottle's families.)
func TestMaxAuthLineLength_RFC4954_4(t *testing.T) {
	resp := base64.StdEncoding.EncodeToString([]byte("\x00alice\x00" + strings.Repeat("x", 68))) // 100 octets
	require.Len(t, resp, 100)
	for _, tc := range []struct {
		name  string
		limit int
		want  string
	}{
		{"at the limit", 102, submission.Failed},
		{"one past the limit", 101, "500 5.5.2 Line too long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := submission.Start(t, servertest.Config{AuthFailureDelay: -1, MaxAuthLineLength: tc.limit})
			s := submission.Greeted(t, srv.Addr, "127.0.0.1")
			s.Send("AUTH PLAIN\r\n")
			require.Equal(t, "334 ", s.Reply())
			s.Send(resp + "\r\n")
			require.Equal(t, tc.want, s.Reply())
			s.Send("NOOP\r\n")
			require.Equal(t, "250 2.0.0 OK", s.Reply())
		})
	}
}
