package smtp

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

// Issue 11: failed AUTHs are delayed by client across its connections,
// each client holds a bounded number of connections, a submission server
// bounds the time to log in from the connection on, and a full one makes
// room by closing the oldest session that has not logged in.

// guessBackend accepts alice/secret and counts every AUTH it checks.
type guessBackend struct{ tries atomic.Int64 }

func (b *guessBackend) NewSession(context.Context, *Conn) (Session, error) {
	return guessSession{b}, nil
}

type guessSession struct{ b *guessBackend }

func (guessSession) Mail(context.Context, string, *MailOptions) error { return nil }
func (guessSession) Rcpt(context.Context, string, *RcptOptions) error { return nil }
func (guessSession) Data(ctx context.Context, r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (guessSession) Reset(ctx context.Context)        {}
func (guessSession) Logout(ctx context.Context) error { return nil }
func (s guessSession) AuthPlain(ctx context.Context, _, user, pass string) error {
	s.b.tries.Add(1)
	if user == "alice" && pass == "secret" {
		return nil
	}
	return errors.New("no")
}

// submission returns a server that requires AUTH over cleartext, with
// the failed-login delay given, serving on 127.0.0.1 until t ends.
func submission(t *testing.T, tweak func(*Server)) (*Server, *guessBackend, string) {
	b := &guessBackend{}
	srv := &Server{Domain: "mx.test", Backend: b, AuthRequired: true, AllowInsecureAuth: true}
	tweak(srv)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return srv, b, l.Addr().String()
}

func authPlain(user, pass string) string {
	return "AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+pass)) + "\r\n"
}

// lastLine returns the last line of one reply, or "" on an error.
func lastLine(br *bufio.Reader) string {
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return ""
		}
		if len(line) < 4 || line[3] != '-' {
			return strings.TrimRight(line, "\r\n")
		}
	}
}

// hello reads the greeting and says EHLO; false if either failed.
func hello(nc net.Conn, br *bufio.Reader) bool {
	if !strings.HasPrefix(lastLine(br), "220 ") {
		return false
	}
	io.WriteString(nc, "EHLO client.test\r\n")
	return strings.HasPrefix(lastLine(br), "250 ")
}

// guessSMTP guesses alice's password until the server closes.
func guessSMTP(nc net.Conn, br *bufio.Reader, failed func()) {
	if !hello(nc, br) {
		return
	}
	for {
		io.WriteString(nc, authPlain("alice", "guess"))
		if !strings.HasPrefix(lastLine(br), "535 ") {
			return
		}
		failed()
	}
}

// TestAuthFailureDelay_RatePerClient_RFC4954_9: 50 connections from one
// address, each guessing as fast as the answers come, get at most 25
// failures answered per second: the answers of one client are spaced by
// the delay (here 20 ms doubling to 80 ms, for a fast test) whatever its
// number of connections. Without it, this loop gets thousands.
func TestAuthFailureDelay_RatePerClient_RFC4954_9(t *testing.T) {
	_, _, addr := submission(t, func(s *Server) {
		s.AuthFailureDelay, s.MaxAuthFailureDelay = 20*time.Millisecond, 80*time.Millisecond
	})
	const window = time.Second
	n := attack.Flood(addr, "127.0.0.1", 50, window, guessSMTP)
	require.Positive(t, n, "failures are answered")
	require.LessOrEqual(t, n, int64(25*window/time.Second), "failures answered from one address")
}

// TestAuthFailureDelay_OthersNotSlowed_RFC4954_9: while one address has
// minutes of failures queued (its 40 parallel guesses are answered 0.1,
// 0.3, 0.7 ... s later), another address's failure is answered after its
// own first delay, and a successful AUTH, from either address, is not
// delayed at all. The 5-second bound only proves that nobody waited
// behind the queue.
func TestAuthFailureDelay_OthersNotSlowed_RFC4954_9(t *testing.T) {
	_, b, addr := submission(t, func(s *Server) {
		s.AuthFailureDelay, s.MaxAuthFailureDelay = 100*time.Millisecond, 10*time.Second
	})
	var answered atomic.Int64
	for range 40 {
		nc, br := attack.DialFrom(t, "127.0.0.1", addr)
		require.True(t, hello(nc, br))
		io.WriteString(nc, authPlain("alice", "guess"))
		go func() {
			if strings.HasPrefix(lastLine(br), "535 ") {
				answered.Add(1)
			}
		}()
	}
	require.Eventually(t, func() bool { return b.tries.Load() == 40 }, 5*time.Second, time.Millisecond)

	for _, tc := range []struct{ ip, pass, want string }{
		{"127.0.0.2", "guess", "535 "},
		{"127.0.0.2", "secret", "235 "},
		{"127.0.0.1", "secret", "235 "},
	} {
		nc, br := attack.DialFrom(t, tc.ip, addr)
		nc.SetDeadline(time.Now().Add(5 * time.Second))
		require.True(t, hello(nc, br))
		io.WriteString(nc, authPlain("alice", tc.pass))
		got := lastLine(br)
		require.True(t, strings.HasPrefix(got, tc.want), "%s with %s: %q", tc.ip, tc.pass, got)
	}
	require.Less(t, answered.Load(), int64(10), "the queued address is still waiting")
}

// TestMaxConnectionsPerAddr_RFC5321_3_8: one address may hold
// MaxConnectionsPerAddr sessions; one more gets the 421 of a full server,
// while another address is served.
func TestMaxConnectionsPerAddr_RFC5321_3_8(t *testing.T) {
	_, _, addr := submission(t, func(s *Server) { s.MaxConnectionsPerAddr = 3 })
	for range 3 {
		_, br := attack.DialFrom(t, "127.0.0.1", addr)
		require.True(t, strings.HasPrefix(lastLine(br), "220 "), "at the limit")
	}
	_, br := attack.DialFrom(t, "127.0.0.1", addr)
	require.Equal(t, "421 4.7.0 mx.test Too many connections, try again later", lastLine(br), "one past the limit")
	_, br = attack.DialFrom(t, "127.0.0.2", addr)
	require.True(t, strings.HasPrefix(lastLine(br), "220 "), "another address")
}

// TestLoginTimeout_FromConnection_RFC5321_4_5_3_2: with AuthRequired, a
// client that sends a byte every 50 ms is cut off with 421 4.4.2 once
// LoginTimeout (300 ms) has passed since it connected, where the command
// timeout, restarted by each byte, would let it stay for ever. A server
// without AuthRequired (port 25) has no login phase: LoginTimeout does
// not apply there, and the same trickle (three LoginTimeouts long) is
// served to its end.
func TestLoginTimeout_FromConnection_RFC5321_4_5_3_2(t *testing.T) {
	data := strings.Repeat("NOOP\r\n", 3) // 18 bytes: 900 ms
	for _, authRequired := range []bool{true, false} {
		_, _, addr := submission(t, func(s *Server) {
			s.AuthRequired = authRequired
			s.LoginTimeout = 300 * time.Millisecond
		})
		nc, br := attack.DialFrom(t, "127.0.0.1", addr)
		require.True(t, strings.HasPrefix(lastLine(br), "220 "))
		sent, cut, last := attack.Trickle(nc, br, data, 50*time.Millisecond)
		if !authRequired {
			require.False(t, cut, "no login phase on port 25")
			require.Equal(t, len(data), sent)
			require.Equal(t, "250 2.0.0 OK\r\n", last)
			continue
		}
		require.True(t, cut, "the server closed the connection")
		require.Less(t, sent, len(data), "cut off near 300 ms, not after the trickle")
		require.Equal(t, "421 4.4.2 mx.test Login timeout, closing connection\r\n", last)
	}
}

// TestFullServerEvictsOldestNotLoggedIn_RFC5321_3_8: a full submission
// server makes room for a new client by closing, with 421 4.7.0, the
// oldest session that has not authenticated; once every session has, a
// new client is refused instead.
func TestFullServerEvictsOldestNotLoggedIn_RFC5321_3_8(t *testing.T) {
	_, _, addr := submission(t, func(s *Server) { s.MaxConnections = 2 })
	old, oldBr := attack.DialFrom(t, "127.0.0.1", addr)
	require.True(t, hello(old, oldBr))
	c2, br2 := attack.DialFrom(t, "127.0.0.2", addr)
	require.True(t, hello(c2, br2))

	c3, br3 := attack.DialFrom(t, "127.0.0.3", addr)
	require.True(t, hello(c3, br3), "served: room was made")
	require.Equal(t, "421 4.7.0 mx.test Too many connections; closing one not authenticated", lastLine(oldBr))
	_, err := oldBr.ReadString('\n')
	require.ErrorIs(t, err, io.EOF)

	for _, c := range []struct {
		nc net.Conn
		br *bufio.Reader
	}{{c2, br2}, {c3, br3}} {
		io.WriteString(c.nc, authPlain("alice", "secret"))
		require.True(t, strings.HasPrefix(lastLine(c.br), "235 "))
	}
	_, br := attack.DialFrom(t, "127.0.0.4", addr)
	require.Equal(t, "421 4.7.0 mx.test Too many connections, try again later", lastLine(br))
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

// TestAuthFailureDelay_EndsEarly_RFC5321_3_8: a session waiting out a
// failed AUTH's delay (10 s here) ends at once, with the 421 it is due,
// when the login timeout passes or the server shuts down; Shutdown is not
// held up by the delay.
func TestAuthFailureDelay_EndsEarly_RFC5321_3_8(t *testing.T) {
	for _, tc := range []struct {
		shutdown bool
		want     string
	}{
		{false, "421 4.4.2 mx.test Login timeout, closing connection"},
		{true, "421 4.3.2 mx.test Service shutting down, closing connection"},
	} {
		srv, b, addr := submission(t, func(s *Server) {
			s.AuthFailureDelay, s.MaxAuthFailureDelay = 10*time.Second, 10*time.Second
			if !tc.shutdown {
				s.LoginTimeout = 300 * time.Millisecond
			}
		})
		nc, br := attack.DialFrom(t, "127.0.0.1", addr)
		nc.SetDeadline(time.Now().Add(5 * time.Second))
		require.True(t, hello(nc, br))
		io.WriteString(nc, authPlain("alice", "guess"))
		require.Eventually(t, func() bool { return b.tries.Load() == 1 }, 5*time.Second, time.Millisecond)
		if tc.shutdown {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			require.NoError(t, srv.Shutdown(ctx))
			cancel()
		}
		require.Equal(t, tc.want, lastLine(br))
		_, err := br.ReadString('\n')
		require.ErrorIs(t, err, io.EOF)
	}
}
