package imap_test

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imaptest"
)

// TestServer_RefusedVerbs_RFC3501_6: in each state a session reaches, every
// verb the state table refuses gets a tagged BAD (RFC 3501 sections 6 and
// 7.1.3) and changes nothing: NOOP still works after each, and at the end
// a command legal only in that state still succeeds.
func TestServer_RefusedVerbs_RFC3501_6(t *testing.T) {
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(),
		imaptest.WithServer(func(s *imap.Server) { s.MaxErrors = 1000 }))
	for _, tc := range []struct {
		state imap.State
		dial  func() (net.Conn, *bufio.Reader)
		only  string // a command legal in this state alone
	}{
		{imap.StateNotAuthenticated, func() (net.Conn, *bufio.Reader) { return greeted(t, srv.Addr) }, "z LOGIN user pass"},
		{imap.StateAuthenticated, func() (net.Conn, *bufio.Reader) { return loggedIn(t, srv.Addr, false) }, "z ENABLE UTF8=ACCEPT"},
		{imap.StateSelected, func() (net.Conn, *bufio.Reader) { return loggedIn(t, srv.Addr, true) }, "z CHECK"},
	} {
		t.Run(tc.state.String(), func(t *testing.T) {
			nc, br := tc.dial()
			refused := 0
			for v := imap.Verb(1); v < imap.NumVerbs; v++ {
				if imap.Allowed(tc.state, v) {
					continue
				}
				refused++
				nc.Write([]byte("x " + v.String() + "\r\nn NOOP\r\n"))
				assert.True(t, strings.HasPrefix(readUntil(t, br, "x "), "x BAD "), "%s in %s", v, tc.state)
				readUntil(t, br, "n OK")
			}
			assert.NotZero(t, refused)
			nc.Write([]byte(tc.only + "\r\n"))
			assert.True(t, strings.HasPrefix(readUntil(t, br, "z "), "z OK"), tc.only)
		})
	}
}

// greeted connects to addr and reads the greeting.
func greeted(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	require.NoError(t, nc.SetDeadline(time.Now().Add(30*time.Second)))
	br := bufio.NewReader(nc)
	readUntil(t, br, "* OK")
	return nc, br
}
