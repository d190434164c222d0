package imap_test

import (
	"bufio"
	"context"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imaptest"
)

// loggedIn opens a raw session and logs in, with INBOX selected when
// sel is true.
func loggedIn(t testing.TB, addr string, sel bool) (net.Conn, *bufio.Reader) {
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	require.NoError(t, nc.SetDeadline(time.Now().Add(30*time.Second)))
	br := bufio.NewReader(nc)
	readUntil(t, br, "* OK")
	nc.Write([]byte("l LOGIN user pass\r\n"))
	readUntil(t, br, "l OK")
	if sel {
		nc.Write([]byte("s SELECT INBOX\r\n"))
		readUntil(t, br, "s OK")
	}
	return nc, br
}

// readUntil reads lines until one starts with prefix and returns it.
func readUntil(t testing.TB, br *bufio.Reader, prefix string) string {
	t.Helper()
	for {
		line, err := br.ReadString('\n')
		require.NoError(t, err, "waiting for %q", prefix)
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
}

// TestShutdown_RFC3501_7_1_5 checks that Shutdown says BYE at once to a
// session waiting for a command and to one in IDLE (RFC 2177), lets a
// session in the middle of a command finish it, and returns only when
// every session is gone.
func TestShutdown_RFC3501_7_1_5(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{})
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithServer(func(s *imap.Server) {
		s.BeforeCommand = func(_ *imap.Conn, cmd imap.Command) error {
			if cmd.Verb == imap.VerbCHECK {
				close(entered)
				<-release // a command that is still running
			}
			return nil
		}
	}))
	_, waitingR := loggedIn(t, srv.Addr, false)
	idling, idlingR := loggedIn(t, srv.Addr, true)
	idling.Write([]byte("i IDLE\r\n"))
	readUntil(t, idlingR, "+ ")
	busy, busyR := loggedIn(t, srv.Addr, true)
	busy.Write([]byte("b CHECK\r\n"))
	<-entered

	done := make(chan error, 1)
	go func() { done <- srv.Server.Shutdown(context.Background()) }()
	require.Equal(t, "* BYE [UNAVAILABLE] Server shutting down\r\n", readUntil(t, waitingR, "* BYE"))
	require.Equal(t, "* BYE [UNAVAILABLE] Server shutting down\r\n", readUntil(t, idlingR, "* BYE"))
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned while a command was running: %v", err)
	default:
	}
	close(release)
	require.Equal(t, "b OK CHECK completed\r\n", readUntil(t, busyR, "b "))
	require.Equal(t, "* BYE [UNAVAILABLE] Server shutting down\r\n", readUntil(t, busyR, "* BYE"))
	require.NoError(t, <-done)
	_, err := net.Dial("tcp", srv.Addr)
	require.Error(t, err, "the listener is closed")
}

// TestMaxConnections_RFC5530 fills the server and requires the next
// connection to get "* BYE [UNAVAILABLE]" at once, and a slot to free up
// when a session ends.
func TestMaxConnections_RFC5530(t *testing.T) {
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithServer(func(s *imap.Server) { s.MaxConnections = 2 }))
	first, _ := loggedIn(t, srv.Addr, false)
	loggedIn(t, srv.Addr, false)

	nc, err := net.Dial("tcp", srv.Addr)
	require.NoError(t, err)
	defer nc.Close()
	br := bufio.NewReader(nc)
	line, err := br.ReadString('\n')
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(line, "* BYE [UNAVAILABLE]"), line)
	_, err = br.ReadString('\n')
	require.Error(t, err, "the refused connection is closed")

	first.Write([]byte("o LOGOUT\r\n"))
	first.Close()
	// The slot is freed when the session ends; a new connection may
	// race it, so retry until the greeting comes (no time is asserted).
	for {
		nc, err := net.Dial("tcp", srv.Addr)
		require.NoError(t, err)
		line, err := bufio.NewReader(nc).ReadString('\n')
		nc.Close()
		require.NoError(t, err)
		if strings.HasPrefix(line, "* OK") {
			return
		}
		require.True(t, strings.HasPrefix(line, "* BYE [UNAVAILABLE]"), line)
		runtime.Gosched()
	}
}

// BenchmarkServerIdleConnMemory reports the heap a logged-in session with
// INBOX selected holds while it waits for a command: 500 of them are
// opened and the heap in use compared before and after.
func BenchmarkServerIdleConnMemory(b *testing.B) {
	const n = 500
	srv := imaptest.NewServer(b, imaptest.WithInsecureAuth())
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		conns := make([]net.Conn, 0, n)
		for range n {
			nc, _ := loggedIn(b, srv.Addr, true)
			conns = append(conns, nc)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/n, "heap-bytes/conn")
		for _, nc := range conns {
			nc.Close()
		}
	}
}
