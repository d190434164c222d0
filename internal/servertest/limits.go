package servertest

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TooManyErrorsIsRead: a client that pipelines Junk past MaxErrors gets
// Lines.TooManyErrors and the server ends the session with the rest of
// its input unread. Closing at once would make the kernel reset the
// connection, and the last line could be lost; the lingering close
// shuts the write side, drains, and the client reads every line, then
// the end of the stream.
func TooManyErrorsIsRead(t *testing.T, p Protocol) {
	srv := p.Start(t, Config{MaxErrors: 3})
	got := ReadUntilClosed(t, srv.Addr, strings.Repeat(p.Junk+"\r\n", 4)+strings.Repeat("x", 200<<10))
	lines := strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n")
	require.True(t, Match(p.Lines.TooManyErrors, lines[len(lines)-1]), "the last line of %q", got)
}

// ReadUntilClosed connects to addr, writes send while it reads what the
// server says, and returns all of it once the server closed the
// connection. It fails t unless the connection ended in order, with a
// FIN: a server that closes with input unread must linger, or the
// kernel's reset destroys what it said last.
func ReadUntilClosed(t testing.TB, addr, send string) string {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer nc.Close()
	require.NoError(t, nc.SetDeadline(time.Now().Add(10*time.Second)))
	go io.WriteString(nc, send)
	// Let the input reach the server before reading, as a client busy
	// writing would.
	time.Sleep(200 * time.Millisecond)
	got, err := io.ReadAll(nc)
	require.NoError(t, err, "the connection must end with FIN, not a reset; read so far %q", got)
	return string(got)
}

// MaxAuthFailures: a session may fail to log in MaxAuthFailures-1 times
// and go on; the failure that reaches the limit is answered, then
// followed by Lines.TooManyAuthFailures, and the connection closes.
func MaxAuthFailures(t *testing.T, p Protocol) {
	srv := p.Start(t, Config{AuthFailureDelay: -1, MaxAuthFailures: 3})
	s := p.Greeted(t, srv.Addr, "127.0.0.1")
	for range 2 { // below the limit
		require.True(t, Match(p.Failed, s.LogIn(p.Login, "alice", "guess")))
	}
	s.Send(p.Noop + "\r\n")
	require.True(t, Match(p.NoopBeforeLogin, s.Reply()), "the session goes on")
	require.True(t, Match(p.Failed, s.LogIn(p.Login, "alice", "guess")), "at the limit")
	require.Equal(t, p.Lines.TooManyAuthFailures, s.Line())
	require.Equal(t, "", s.Line(), "closed")
}
