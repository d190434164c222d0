package servertest

import (
	"context"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/netserver"
	"github.com/mailwire/mailwire/internal/netserver/attack"
)

// The families of issue 11: failed logins are delayed by client across
// its connections, each client holds a bounded number of connections,
// the time to log in is bounded from the connection on, and a full
// server makes room by closing the oldest session that has not logged
// in.

// Throttle runs the families of issue 11 and MaxAuthFailures, each a
// subtest named after its behaviour and the protocol's RFC section.
func Throttle(t *testing.T, p Protocol) {
	s := p.Sections
	for _, f := range []struct {
		name string
		run  func(*testing.T, Protocol)
	}{
		{"AuthFailureDelay_RatePerClient_" + s.Delay, AuthFailureDelayRate},
		{"AuthFailureDelay_OthersNotSlowed_" + s.Delay, AuthFailureDelayOthersNotSlowed},
		{"MaxConnectionsPerAddr_" + s.Connections, MaxConnectionsPerAddr},
		{"LoginTimeout_FromConnection_" + s.LoginTimeout, LoginTimeout},
		{"FullServerEvictsOldestNotLoggedIn_" + s.Connections, FullServerEvicts},
		{"AuthFailureDelay_EndsEarly_" + s.Closing, AuthFailureDelayEndsEarly},
		{"MaxAuthFailures_" + s.AuthFailures, MaxAuthFailures},
	} {
		t.Run(f.name, func(t *testing.T) { f.run(t, p) })
	}
}

// AuthFailureDelayRate: 50 connections from one address, guessing with
// each of the protocol's Guesses as fast as the answers come, get at
// most 25 failures answered per second: the answers of one client are
// spaced by the delay (here 20 ms doubling to 80 ms, for a fast test)
// whatever its number of connections. Without it, this loop gets
// thousands.
func AuthFailureDelayRate(t *testing.T, p Protocol) {
	const window = 500 * time.Millisecond
	for _, m := range p.Guesses {
		t.Run(m.Name, func(t *testing.T) {
			srv := p.Start(t, Config{AuthFailureDelay: 20 * time.Millisecond, MaxAuthFailureDelay: 80 * time.Millisecond})
			n := attack.Flood(srv.Addr, "127.0.0.1", 50, window, p.guesser(m))
			require.Positive(t, n, "failures are answered")
			require.LessOrEqual(t, n, int64(25*window/time.Second), "failures answered from one address")
		})
	}
}

// AuthFailureDelayOthersNotSlowed: while one address has minutes of
// failures queued (its 40 parallel guesses are answered 0.1, 0.3, 0.7
// ... s later), another address's failure is answered after its own
// first delay, and a successful login, from either address and by Login
// or AuthPlain, is not delayed at all. The 5-second bound only proves
// that nobody waited behind the queue.
func AuthFailureDelayOthersNotSlowed(t *testing.T, p Protocol) {
	srv := p.Start(t, Config{AuthFailureDelay: 100 * time.Millisecond, MaxAuthFailureDelay: 10 * time.Second})
	var answered atomic.Int64
	for range 40 {
		s := p.Greeted(t, srv.Addr, "127.0.0.1")
		s.Send(p.Guesses[0].Send("alice", "guess"))
		go func() {
			if Match(p.Failed, s.Reply()) {
				answered.Add(1)
			}
		}()
	}
	require.Eventually(t, func() bool { return srv.Tries() == 40 }, 5*time.Second, time.Millisecond)

	for _, tc := range []struct {
		ip, user, pass string
		by             Method
		want           string
	}{
		{"127.0.0.2", "alice", "guess", p.Login, p.Failed},
		{"127.0.0.2", "alice", "secret", p.AuthPlain, p.LoggedIn},
		{"127.0.0.1", "bob", "secret", p.Login, p.LoggedIn},
	} {
		s := p.Greeted(t, srv.Addr, tc.ip)
		got := s.LogIn(tc.by, tc.user, tc.pass)
		require.True(t, Match(tc.want, got), "%s as %s with %s: %q, want %q", tc.ip, tc.user, tc.pass, got, tc.want)
	}
	require.Less(t, answered.Load(), int64(10), "the queued address is still waiting")
}

// MaxConnectionsPerAddr: one address may hold MaxConnectionsPerAddr
// sessions; one more is refused with Lines.TooManyConnections, while
// another address is served.
func MaxConnectionsPerAddr(t *testing.T, p Protocol) {
	srv := p.Start(t, Config{MaxConnectionsPerAddr: 3})
	for range 3 {
		p.Greeted(t, srv.Addr, "127.0.0.1") // at the limit
	}
	s := p.Dial(t, srv.Addr, "127.0.0.1")
	require.Equal(t, p.Lines.TooManyConnections, s.Line(), "one past the limit")
	p.Greeted(t, srv.Addr, "127.0.0.2") // another address
}

// LoginTimeout: a client that sends a byte every 50 ms of a line it
// never ends, without logging in, is cut off with Lines.LoginTimeout
// once LoginTimeout (300 ms) has passed since it connected, where the
// read timeout, restarted by each byte, would let it stay for ever. A
// client that logged in is no longer bound by it, nor is any client of
// a server without a login phase: the Noop commands they trickle, for
// three LoginTimeouts, are all answered.
func LoginTimeout(t *testing.T, p Protocol) {
	noop := p.Noop + "\r\n"
	noops := strings.Repeat(noop, (16+len(noop)-1)/len(noop)) // 16 bytes or a few more: 800 ms
	for _, loggedIn := range []bool{false, true} {
		srv := p.Start(t, Config{LoginTimeout: 300 * time.Millisecond})
		s := p.Greeted(t, srv.Addr, "127.0.0.1")
		data := strings.Repeat("x", 18) // one unfinished line of 900 ms
		if loggedIn {
			require.True(t, Match(p.LoggedIn, s.LogIn(p.Login, "alice", "secret")))
		}
		if loggedIn || p.NoLoginPhase {
			data = noops
		}
		nc, br := s.Conn()
		sent, cut, last := attack.Trickle(nc, br, data, 50*time.Millisecond)
		if data == noops {
			require.False(t, cut, "logged in (%v), or no login phase: the login timeout does not apply", loggedIn)
			require.Equal(t, len(data), sent)
			require.True(t, Match(p.NoopReply, strings.TrimSuffix(last, "\r\n")), "last reply %q", last)
			continue
		}
		require.True(t, cut, "the server closed the connection")
		require.Less(t, sent, len(data), "cut off near 300 ms, not after the trickle")
		require.Equal(t, p.Lines.LoginTimeout, strings.TrimSuffix(last, "\r\n"))
	}
}

// FullServerEvicts: a full server makes room for a new client by
// closing, with Lines.Evicted, the oldest session that has not logged
// in; once every session has, a new client is refused instead, with
// Lines.TooManyConnections.
func FullServerEvicts(t *testing.T, p Protocol) {
	srv := p.Start(t, Config{MaxConnections: 2})
	old := p.Greeted(t, srv.Addr, "127.0.0.1")
	alice := p.Greeted(t, srv.Addr, "127.0.0.2")
	bob := p.Greeted(t, srv.Addr, "127.0.0.3") // served: room was made
	require.Equal(t, p.Lines.Evicted, old.Line())
	require.ErrorIs(t, old.EOF(), io.EOF)

	require.True(t, Match(p.LoggedIn, alice.LogIn(p.Login, "alice", "secret")))
	require.True(t, Match(p.LoggedIn, bob.LogIn(p.Login, "bob", "secret")))
	s := p.Dial(t, srv.Addr, "127.0.0.4")
	require.Equal(t, p.Lines.TooManyConnections, s.Line())
}

// AuthFailureDelayEndsEarly: a session waiting out a failed login's
// delay (10 s here) ends at once, with the line it is due, when the
// login timeout passes or the server shuts down; Shutdown is not held up
// by the delay.
func AuthFailureDelayEndsEarly(t *testing.T, p Protocol) {
	for _, shutdown := range []bool{false, true} {
		cfg := Config{AuthFailureDelay: 10 * time.Second, MaxAuthFailureDelay: 10 * time.Second}
		want := p.Lines.ShuttingDown
		if !shutdown {
			cfg.LoginTimeout, want = 300*time.Millisecond, p.Lines.LoginTimeout
		}
		srv := p.Start(t, cfg)
		s := p.Greeted(t, srv.Addr, "127.0.0.1")
		s.Send(p.Guesses[0].Send("alice", "guess"))
		require.Eventually(t, func() bool { return srv.Tries() == 1 }, 5*time.Second, time.Millisecond)
		if shutdown {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			require.NoError(t, srv.Shutdown(ctx))
			cancel()
		}
		require.Equal(t, want, s.Line())
		require.ErrorIs(t, s.EOF(), io.EOF, "closed, not timed out")
	}
}

// AuthFailureDelayFields: a zero Server's failed-login delay (delay
// returns it) takes the defaults want, fields set are used, and a
// negative AuthFailureDelay turns the delay off.
func AuthFailureDelayFields[S any](t *testing.T, delay func(*S) *netserver.FailureDelay, want *netserver.FailureDelay) {
	fields := func(f *netserver.FailureDelay) []any { return []any{f.Base, f.Max, f.Reset, f.MaxAddrs} }
	require.Equal(t, fields(want), fields(delay(new(S))))
	set := new(S)
	Config{AuthFailureDelay: 1, MaxAuthFailureDelay: 2, AuthFailureReset: 3, MaxAuthFailureAddrs: 4}.Apply(set)
	require.Equal(t, []any{time.Duration(1), time.Duration(2), time.Duration(3), 4}, fields(delay(set)))
	off := new(S)
	Config{AuthFailureDelay: -1}.Apply(off)
	require.Nil(t, delay(off))
}
