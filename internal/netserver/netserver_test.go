package netserver

import (
	"bufio"
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var errClosed = errors.New("closed")

// echoSession is a line-echo session: it answers "busy" when refused, and
// "bye" when it notices a shutdown while idle.
type echoSession struct {
	g      *Group[*echoSession]
	io     *Deadlines
	pinned atomic.Bool
}

func startEcho(t *testing.T, g *Group[*echoSession], max int) string {
	return startEchoWith(t, g, func(cfg *Config[*echoSession]) { cfg.MaxSessions = max })
}

// startEchoWith serves echo sessions with the configuration tweak sets.
// A session that reads "login" counts as logged in; one evicted answers
// "evicted".
func startEchoWith(t *testing.T, g *Group[*echoSession], tweak func(*Config[*echoSession])) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	cfg := Config[*echoSession]{
		Name: "echo", ErrClosed: errClosed,
		New: func(nc net.Conn) *echoSession {
			return &echoSession{g: g, io: NewDeadlines(nc, time.Minute, time.Minute, g.ShuttingDown)}
		},
		Serve: func(s *echoSession) {
			defer s.io.CloseNow()
			defer g.Release(s)
			br := bufio.NewReader(s.io)
			for {
				s.io.SetIdle(true)
				line, err := br.ReadString('\n')
				s.io.SetIdle(false)
				switch {
				case errors.Is(err, ErrEvicted):
					s.io.Write([]byte("evicted\n"))
					return
				case err != nil:
					if errors.Is(err, ErrShutdown) || g.ShuttingDown() {
						s.io.Write([]byte("bye\n"))
					}
					return
				case line == "login\n":
					g.Authenticated(s)
				case line == "pin\n":
					s.pinned.Store(true)
				}
				s.io.Write([]byte(line))
			}
		},
		Refuse: func(s *echoSession) {
			g.Release(s)
			s.io.Write([]byte("busy\n"))
			s.io.CloseNow()
		},
	}
	tweak(&cfg)
	done := make(chan error, 1)
	go func() { done <- g.Serve(l, cfg) }()
	t.Cleanup(func() {
		g.Close(func(s *echoSession) { s.io.CloseNow() })
		require.ErrorIs(t, <-done, errClosed)
	})
	return l.Addr().String()
}

// dialLine connects from 127.0.0.1, sends send and reads one line.
func dialLine(t *testing.T, addr, send string) (net.Conn, *bufio.Reader, string) {
	return dialFrom(t, "127.0.0.1", addr, send)
}

func TestGroup_MaxSessionsAndRelease(t *testing.T) {
	var g Group[*echoSession]
	addr := startEcho(t, &g, 1)
	c1, _, line := dialLine(t, addr, "one\n")
	require.Equal(t, "one\n", line)
	_, _, line = dialLine(t, addr, "")
	require.Equal(t, "busy\n", line)
	c1.Close()
	// The slot is released when the session ends; a new client gets in.
	require.Eventually(t, func() bool {
		c, _, line := dialLine(t, addr, "two\n")
		c.Close()
		return line == "two\n"
	}, 5*time.Second, 10*time.Millisecond)
}

func TestGroup_ShutdownInterruptsIdleSessions(t *testing.T) {
	var g Group[*echoSession]
	addr := startEcho(t, &g, 10)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		c, br, line := dialLine(t, addr, "hi\n")
		require.Equal(t, "hi\n", line)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			line, _ := br.ReadString('\n')
			require.Equal(t, "bye\n", line)
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, g.Shutdown(ctx, func(s *echoSession) { s.io.InterruptIfIdle() }))
	wg.Wait()
	_, err := net.Dial("tcp", addr)
	require.Error(t, err, "the listener is closed")
}

func TestGroup_ShutdownHonoursContext(t *testing.T) {
	var g Group[*echoSession]
	addr := startEcho(t, &g, 10)
	c, _, _ := dialLine(t, addr, "x\n")
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// A session that ignores the interrupt keeps Shutdown waiting until
	// the context ends.
	require.ErrorIs(t, g.Shutdown(ctx, func(*echoSession) {}), context.Canceled)
}

func TestStale(t *testing.T) {
	const m = time.Minute
	for _, tc := range []struct {
		left time.Duration
		want bool
	}{
		{m, false}, {m - m/32, false}, {m - m/8, true}, {0, true}, {-time.Second, true}, {2 * m, true},
	} {
		require.Equal(t, tc.want, stale(tc.left, m), tc.left)
	}
}

func TestDeadlines_StalledReadTimesOut(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	d := NewDeadlines(a, 50*time.Millisecond, time.Second, func() bool { return false })
	_, err := d.Read(make([]byte, 1))
	require.True(t, IsTimeout(err))
}

func TestListenTLS_NeedsCertificate(t *testing.T) {
	_, err := ListenTLS("127.0.0.1:0", nil, "", "")
	require.Error(t, err)
	_, err = ListenTLS("127.0.0.1:0", nil, "/nonexistent.crt", "/nonexistent.key")
	require.Error(t, err)
}
