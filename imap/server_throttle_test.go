package imap

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/netserver"
	"github.com/mailwire/mailwire/internal/netserver/attack"
)

// Issue 11: failed logins are delayed by client across its connections,
// each client holds a bounded number of connections, the time to log in
// is bounded from the connection on, and a full server makes room by
// closing the oldest session that has not logged in.

// guessBackend accepts alice and bob with the password "secret", and
// counts every login it checks.
type guessBackend struct{ tries atomic.Int64 }

func (b *guessBackend) Login(_ context.Context, _ *Conn, user, pass string) (User, error) {
	b.tries.Add(1)
	if (user == "alice" || user == "bob") && pass == "secret" {
		return stubUser{name: user}, nil
	}
	return nil, errors.New("no")
}

// stubUser is a user these tests only log in and out.
type stubUser struct {
	User
	name string
}

func (u stubUser) Username() string             { return u.name }
func (u stubUser) Logout(context.Context) error { return nil }

// guessServer serves a guessBackend on 127.0.0.1 until t ends.
func guessServer(t *testing.T, tweak func(*Server)) (*guessBackend, string) {
	b := &guessBackend{}
	srv := &Server{Backend: b, AllowInsecureAuth: true}
	tweak(srv)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return b, l.Addr().String()
}

func readLine(br *bufio.Reader) string {
	line, _ := br.ReadString('\n')
	return strings.TrimRight(line, "\r\n")
}

// tagged reads up to the response tagged a and returns it, or "".
func tagged(br *bufio.Reader) string {
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return ""
		}
		if strings.HasPrefix(line, "a ") {
			return strings.TrimRight(line, "\r\n")
		}
	}
}

// The two ways of guessing a password (RFC 9051 sections 6.2.3, 6.2.2).
var (
	login        = func(user, pass string) string { return "a LOGIN " + user + " " + pass + "\r\n" }
	authenticate = func(user, pass string) string {
		return "a AUTHENTICATE PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+pass)) + "\r\n"
	}
)

const failedLogin = "a NO [AUTHENTICATIONFAILED] Authentication failed"

// guesser guesses with send until the server closes.
func guesser(send func(user, pass string) string) attack.Guesser {
	return func(nc net.Conn, br *bufio.Reader, failed func()) {
		if !strings.HasPrefix(readLine(br), "* OK") {
			return
		}
		for {
			io.WriteString(nc, send("alice", "guess"))
			if tagged(br) != failedLogin {
				return
			}
			failed()
		}
	}
}

// TestAuthFailureDelay_RatePerClient_RFC9051_11_7: 50 connections from one
// address, guessing with LOGIN or AUTHENTICATE as fast as the answers
// come, get at most 25 failures answered per second: the answers of one
// client are spaced by the delay (here 20 ms doubling to 80 ms, for a
// fast test) whatever its number of connections. Without it, this loop
// gets thousands.
func TestAuthFailureDelay_RatePerClient_RFC9051_11_7(t *testing.T) {
	const window = 500 * time.Millisecond
	for name, send := range map[string]func(string, string) string{"LOGIN": login, "AUTHENTICATE": authenticate} {
		t.Run(name, func(t *testing.T) {
			_, addr := guessServer(t, func(s *Server) {
				s.AuthFailureDelay, s.MaxAuthFailureDelay = 20*time.Millisecond, 80*time.Millisecond
			})
			n := attack.Flood(addr, "127.0.0.1", 50, window, guesser(send))
			require.Positive(t, n, "failures are answered")
			require.LessOrEqual(t, n, int64(25*window/time.Second), "failures answered from one address")
		})
	}
}

// TestAuthFailureDelay_OthersNotSlowed_RFC9051_11_7: while one address has
// minutes of failures queued (its 40 parallel guesses are answered 0.1,
// 0.3, 0.7 ... s later), another address's failure is answered after its
// own first delay, and a successful login, from either address, is not
// delayed at all. The 5-second bound only proves that nobody waited
// behind the queue.
func TestAuthFailureDelay_OthersNotSlowed_RFC9051_11_7(t *testing.T) {
	b, addr := guessServer(t, func(s *Server) {
		s.AuthFailureDelay, s.MaxAuthFailureDelay = 100*time.Millisecond, 10*time.Second
	})
	var answered atomic.Int64
	for range 40 {
		nc, br := attack.DialFrom(t, "127.0.0.1", addr)
		require.True(t, strings.HasPrefix(readLine(br), "* OK"))
		io.WriteString(nc, login("alice", "guess"))
		go func() {
			if tagged(br) == failedLogin {
				answered.Add(1)
			}
		}()
	}
	require.Eventually(t, func() bool { return b.tries.Load() == 40 }, 5*time.Second, time.Millisecond)

	for _, tc := range []struct {
		ip, pass string
		send     func(string, string) string
		want     string
	}{
		{"127.0.0.2", "guess", login, failedLogin},
		{"127.0.0.2", "secret", authenticate, "a OK [CAPABILITY "},
		{"127.0.0.1", "secret", login, "a OK [CAPABILITY "},
	} {
		nc, br := attack.DialFrom(t, tc.ip, addr)
		nc.SetDeadline(time.Now().Add(5 * time.Second))
		require.True(t, strings.HasPrefix(readLine(br), "* OK"))
		io.WriteString(nc, tc.send("alice", tc.pass))
		got := tagged(br)
		require.True(t, strings.HasPrefix(got, tc.want), "%s with %s: %q", tc.ip, tc.pass, got)
	}
	require.Less(t, answered.Load(), int64(10), "the queued address is still waiting")
}

// TestMaxConnectionsPerAddr_RFC5530_3: one address may hold
// MaxConnectionsPerAddr sessions; one more gets the BYE [UNAVAILABLE] of
// a full server, while another address is served.
func TestMaxConnectionsPerAddr_RFC5530_3(t *testing.T) {
	_, addr := guessServer(t, func(s *Server) { s.MaxConnectionsPerAddr = 3 })
	for range 3 {
		_, br := attack.DialFrom(t, "127.0.0.1", addr)
		require.True(t, strings.HasPrefix(readLine(br), "* OK"), "at the limit")
	}
	_, br := attack.DialFrom(t, "127.0.0.1", addr)
	require.Equal(t, "* BYE [UNAVAILABLE] Too many connections, try again later", readLine(br), "one past the limit")
	_, br = attack.DialFrom(t, "127.0.0.2", addr)
	require.True(t, strings.HasPrefix(readLine(br), "* OK"), "another address")
}

// TestLoginTimeout_FromConnection_RFC9051_5_4: a client that sends a byte
// every 50 ms without logging in is cut off with BYE once LoginTimeout
// (300 ms) has passed since it connected, where the read timeout,
// restarted by each byte, would let it stay for ever. A client that
// logged in is no longer bound by it.
func TestLoginTimeout_FromConnection_RFC9051_5_4(t *testing.T) {
	data := strings.Repeat("a NOOP\r\n", 2) // 16 bytes: 800 ms
	for _, loggedIn := range []bool{false, true} {
		_, addr := guessServer(t, func(s *Server) { s.LoginTimeout = 300 * time.Millisecond })
		nc, br := attack.DialFrom(t, "127.0.0.1", addr)
		require.True(t, strings.HasPrefix(readLine(br), "* OK"))
		if loggedIn {
			io.WriteString(nc, login("alice", "secret"))
			require.True(t, strings.HasPrefix(tagged(br), "a OK"))
		}
		sent, cut, last := attack.Trickle(nc, br, data, 50*time.Millisecond)
		if loggedIn {
			require.False(t, cut, "logged in: the login timeout is over")
			require.Equal(t, len(data), sent)
			require.Equal(t, "a OK NOOP completed\r\n", last)
			continue
		}
		require.True(t, cut, "the server closed the connection")
		require.Less(t, sent, len(data), "cut off near 300 ms, not after the trickle")
		require.Equal(t, "* BYE Login timeout\r\n", last)
	}
}

// TestFullServerEvictsOldestNotLoggedIn_RFC5530_3: a full server makes
// room for a new client by closing, with BYE [UNAVAILABLE], the oldest
// session that has not logged in; once every session has, a new client
// is refused instead.
func TestFullServerEvictsOldestNotLoggedIn_RFC5530_3(t *testing.T) {
	_, addr := guessServer(t, func(s *Server) { s.MaxConnections = 2 })
	_, oldBr := attack.DialFrom(t, "127.0.0.1", addr)
	require.True(t, strings.HasPrefix(readLine(oldBr), "* OK"))
	c2, br2 := attack.DialFrom(t, "127.0.0.2", addr)
	require.True(t, strings.HasPrefix(readLine(br2), "* OK"))

	c3, br3 := attack.DialFrom(t, "127.0.0.3", addr)
	require.True(t, strings.HasPrefix(readLine(br3), "* OK"), "served: room was made")
	require.Equal(t, "* BYE [UNAVAILABLE] Too many connections; closing one not logged in", readLine(oldBr))
	_, err := oldBr.ReadString('\n')
	require.ErrorIs(t, err, io.EOF)

	for _, c := range []struct {
		nc   net.Conn
		br   *bufio.Reader
		user string
	}{{c2, br2, "alice"}, {c3, br3, "bob"}} {
		io.WriteString(c.nc, login(c.user, "secret"))
		require.True(t, strings.HasPrefix(tagged(c.br), "a OK"))
	}
	_, br := attack.DialFrom(t, "127.0.0.4", addr)
	require.Equal(t, "* BYE [UNAVAILABLE] Too many connections, try again later", readLine(br))
}

// TestAuthFailureDelayFields: zero fields take the defaults, set ones
// are used, and a negative AuthFailureDelay turns the delay off.
func TestAuthFailureDelayFields(t *testing.T) {
	fields := func(f *netserver.FailureDelay) []any { return []any{f.Base, f.Max, f.Reset, f.MaxAddrs} }
	require.Equal(t, []any{DefaultAuthFailureDelay, DefaultMaxAuthFailureDelay, DefaultAuthFailureReset, DefaultMaxAuthFailureAddrs},
		fields((&Server{}).core().FailureDelay()))
	set := &Server{AuthFailureDelay: 1, MaxAuthFailureDelay: 2, AuthFailureReset: 3, MaxAuthFailureAddrs: 4}
	require.Equal(t, []any{time.Duration(1), time.Duration(2), time.Duration(3), 4}, fields(set.core().FailureDelay()))
	require.Nil(t, (&Server{AuthFailureDelay: -1}).core().FailureDelay())
}

// TestAuthFailureDelay_EndsEarly_RFC9051_7_1_5: a session waiting out a
// failed login's delay (10 s here) ends at once, with the BYE it is due,
// when the login timeout passes or the server shuts down; Shutdown is
// not held up by the delay.
func TestAuthFailureDelay_EndsEarly_RFC9051_7_1_5(t *testing.T) {
	for _, tc := range []struct {
		shutdown bool
		want     string
	}{
		{false, "* BYE Login timeout"},
		{true, "* BYE [UNAVAILABLE] Server shutting down"},
	} {
		var srv *Server
		b, addr := guessServer(t, func(s *Server) {
			srv = s
			s.AuthFailureDelay, s.MaxAuthFailureDelay = 10*time.Second, 10*time.Second
			if !tc.shutdown {
				s.LoginTimeout = 300 * time.Millisecond
			}
		})
		nc, br := attack.DialFrom(t, "127.0.0.1", addr)
		nc.SetDeadline(time.Now().Add(5 * time.Second))
		require.True(t, strings.HasPrefix(readLine(br), "* OK"))
		io.WriteString(nc, login("alice", "guess"))
		require.Eventually(t, func() bool { return b.tries.Load() == 1 }, 5*time.Second, time.Millisecond)
		if tc.shutdown {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			require.NoError(t, srv.Shutdown(ctx))
			cancel()
		}
		require.Equal(t, tc.want, readLine(br))
		_, err := br.ReadString('\n')
		require.ErrorIs(t, err, io.EOF, "closed, not timed out")
	}
}
