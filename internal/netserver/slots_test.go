package netserver

import (
	"bufio"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// dialFrom connects from the local address ip (Linux routes all of
// 127/8 to the loopback interface) and returns the first line read after
// sending send.
func dialFrom(t *testing.T, ip, addr, send string) (net.Conn, *bufio.Reader, string) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	if send != "" {
		c.Write([]byte(send))
	}
	line, _ := br.ReadString('\n')
	return c, br, line
}

// TestGroup_MaxPerAddr: a client may hold MaxPerAddr sessions; one more is
// refused, while another client is served, and a slot freed is taken.
func TestGroup_MaxPerAddr(t *testing.T) {
	var g Group[*echoSession]
	addr := startEchoWith(t, &g, func(cfg *Config[*echoSession]) {
		cfg.MaxSessions, cfg.MaxPerAddr = 10, 2
	})
	first, _, line := dialFrom(t, "127.0.0.1", addr, "a\n")
	require.Equal(t, "a\n", line)
	_, _, line = dialFrom(t, "127.0.0.1", addr, "b\n")
	require.Equal(t, "b\n", line, "at the limit")
	_, _, line = dialFrom(t, "127.0.0.1", addr, "c\n")
	require.Equal(t, "busy\n", line, "one past the limit")
	_, _, line = dialFrom(t, "127.0.0.2", addr, "d\n")
	require.Equal(t, "d\n", line, "another client")

	first.Close()
	require.Eventually(t, func() bool {
		_, _, line := dialFrom(t, "127.0.0.1", addr, "e\n")
		return line == "e\n"
	}, 5*time.Second, 10*time.Millisecond)
}

// TestGroup_FullEvictsOldestNotLoggedIn: a full server makes room by
// evicting the oldest session that has not logged in and can end at once
// (here: not "pinned"); a logged-in one is never evicted, so when all
// are, the new session is refused as before.
func TestGroup_FullEvictsOldestNotLoggedIn(t *testing.T) {
	var g Group[*echoSession]
	var mu sync.Mutex
	var sessions []*echoSession
	addr := startEchoWith(t, &g, func(cfg *Config[*echoSession]) {
		cfg.MaxSessions = 4
		cfg.Evict = func(s *echoSession) bool { return !s.pinned.Load() && s.io.EvictIfIdle() }
		newSession := cfg.New
		cfg.New = func(nc net.Conn) *echoSession {
			s := newSession(nc)
			mu.Lock()
			sessions = append(sessions, s)
			mu.Unlock()
			return s
		}
	})
	// allIdle: every session has echoed its line and waits for the next,
	// so that which one a full server evicts does not depend on timing.
	allIdle := func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range sessions {
			if !s.io.idle.Load() {
				return false
			}
		}
		return true
	}
	_, _, line := dialFrom(t, "127.0.0.1", addr, "login\n") // the oldest of all
	require.Equal(t, "login\n", line)
	_, _, line = dialFrom(t, "127.0.0.1", addr, "pin\n") // cannot end at once
	require.Equal(t, "pin\n", line)
	_, oldest, line := dialFrom(t, "127.0.0.1", addr, "x\n")
	require.Equal(t, "x\n", line)
	c2, younger, line := dialFrom(t, "127.0.0.2", addr, "y\n")
	require.Equal(t, "y\n", line)
	require.Eventually(t, allIdle, 5*time.Second, time.Millisecond)

	c3, newest, line := dialFrom(t, "127.0.0.3", addr, "z\n")
	require.Equal(t, "z\n", line, "served: room was made")
	line, _ = oldest.ReadString('\n')
	require.Equal(t, "evicted\n", line, "the oldest that had not logged in and was not pinned")
	_, err := oldest.ReadString('\n')
	require.Error(t, err, "and closed")

	// Once the others log in or are pinned, nothing can be evicted.
	c2.Write([]byte("login\n"))
	line, _ = younger.ReadString('\n')
	require.Equal(t, "login\n", line)
	c3.Write([]byte("pin\n"))
	line, _ = newest.ReadString('\n')
	require.Equal(t, "pin\n", line)
	_, _, line = dialFrom(t, "127.0.0.4", addr, "w\n")
	require.Equal(t, "busy\n", line)
}
