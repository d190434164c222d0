package servertest

import (
	"strings"
	"testing"

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
