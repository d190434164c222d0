package smtptest_test

import (
	"crypto/tls"
	"io"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// dialog is a raw SMTP client for the tests: it sends exactly the octets a
// test gives it, so the tests see what the server does with them.
type dialog struct {
	t  testing.TB
	nc net.Conn
	tc *textproto.Conn
}

// dial connects to addr and reads the 220 greeting (RFC 5321 3.1).
func dial(t testing.TB, addr string) *dialog {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	return greet(t, nc)
}

// dialTLS connects with implicit TLS (RFC 8314 3.3).
func dialTLS(t testing.TB, addr string, cfg *tls.Config) *dialog {
	t.Helper()
	nc, err := tls.Dial("tcp", addr, cfg)
	require.NoError(t, err)
	return greet(t, nc)
}

func greet(t testing.TB, nc net.Conn) *dialog {
	t.Helper()
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	d := &dialog{t: t, nc: nc, tc: textproto.NewConn(nc)}
	d.expect(220)
	return d
}

// cmd sends one command line and returns the text of the reply, which must
// have the given code.
func (d *dialog) cmd(code int, line string) string {
	d.t.Helper()
	require.NoError(d.t, d.tc.PrintfLine("%s", line))
	return d.expect(code)
}

// expect reads one reply (multi-line ones whole, RFC 5321 4.2.1) and
// checks its code.
func (d *dialog) expect(code int) string {
	d.t.Helper()
	got, msg, err := d.tc.ReadResponse(0)
	require.NoError(d.t, err, "waiting for %d", code)
	require.Equal(d.t, code, got, "reply %d %s", got, msg)
	return msg
}

// data sends DATA and the message, which must already be dot-stuffed and
// end with CRLF, and the terminating dot; it returns the final reply's code.
func (d *dialog) data(stuffed string) int {
	d.t.Helper()
	d.cmd(354, "DATA")
	_, err := d.tc.W.WriteString(stuffed + ".\r\n")
	require.NoError(d.t, err)
	require.NoError(d.t, d.tc.W.Flush())
	code, _, err := d.tc.ReadResponse(0)
	require.NoError(d.t, err)
	return code
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }
