package pop3_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

// bigMessage generates a message of size octets without holding it: a
// header, then 78-octet lines, every tenth starting with "." so that RETR
// must stuff it (RFC 1939 section 3).
type bigMessage struct {
	size, off int64
}

const (
	bigLine = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n"
	dotLine = ".xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n"
)

func (m *bigMessage) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && m.off < m.size {
		line := int(m.off / int64(len(bigLine)))
		col := int(m.off % int64(len(bigLine)))
		src := bigLine
		if line%10 == 0 {
			src = dotLine
		}
		c := copy(p[n:], src[col:])
		if rest := m.size - m.off; int64(c) > rest {
			c = int(rest)
		}
		n += c
		m.off += int64(c)
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// bigBackend serves one generated message of a given size to anyone.
type bigBackend struct{ size int64 }

func (b bigBackend) Login(context.Context, *pop3.Conn, string, string) (pop3.Maildrop, error) {
	return b, nil
}
func (b bigBackend) Messages(context.Context) ([]pop3.MessageInfo, error) {
	return []pop3.MessageInfo{{Size: b.size, UID: "big"}}, nil
}
func (b bigBackend) Open(context.Context, int) (io.ReadCloser, error) {
	return io.NopCloser(&bigMessage{size: b.size}), nil
}
func (b bigBackend) Delete(context.Context, []int) error { return nil }
func (b bigBackend) Close(context.Context) error         { return nil }

func startServer(t testing.TB, srv *pop3.Server) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return l.Addr().String()
}

// TestServer_RetrStreamsLargeMessage_RFC1939_5 sends a 50 MB message and
// checks that it arrives whole and that the process allocated far less
// than its size: RETR streams, on both sides.
func TestServer_RetrStreamsLargeMessage_RFC1939_5(t *testing.T) {
	const size = 50 << 20 // not a multiple of len(bigLine): the last line is cut
	addr := startServer(t, &pop3.Server{Backend: bigBackend{size}, AllowInsecureAuth: true})
	ctx := testContext(t)
	c, err := pop3.Dial(ctx, addr, nil)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Login(ctx, "u", "p"))

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r, err := c.Retr(ctx, 1)
	require.NoError(t, err)
	var got countingWriter
	_, err = io.CopyBuffer(&got, r, make([]byte, 32<<10))
	require.NoError(t, err)
	require.NoError(t, r.Close())
	runtime.ReadMemStats(&after)

	// The cut last line gets a CRLF from the server (RFC 1939 3: a
	// multi-line response ends with a line of its own).
	require.Equal(t, int64(size)+2, got.n)
	require.Equal(t, bigMessageDigest(size), got.sum)
	allocated := after.TotalAlloc - before.TotalAlloc
	require.Less(t, allocated, uint64(4<<20), "allocated %d octets for a %d-octet message", allocated, size)
}

// countingWriter counts octets and checks the line pattern cheaply.
type countingWriter struct {
	n   int64
	sum uint64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		w.sum = w.sum*31 + uint64(c)
	}
	w.n += int64(len(p))
	return len(p), nil
}

func bigMessageDigest(size int64) uint64 {
	var w countingWriter
	io.Copy(&w, &bigMessage{size: size})
	w.Write([]byte("\r\n"))
	return w.sum
}

// TestServer_ShutdownDeletesNothing_RFC1939_6: Shutdown tells an idle
// session -ERR [SYS/TEMP] and closes it without UPDATE.
func TestServer_ShutdownDeletesNothing_RFC1939_6(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret", []byte("a\r\n")))
	ctx := testContext(t)
	nc, err := net.Dial("tcp", ts.Addr)
	require.NoError(t, err)
	defer nc.Close()
	br := bufio.NewReader(nc)
	nc.Write([]byte("USER alice\r\nPASS secret\r\nDELE 1\r\n"))
	for range 4 {
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(line, "+OK"), line)
	}
	require.NoError(t, ts.Server.Shutdown(ctx))
	line, err := br.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "-ERR [SYS/TEMP] Server shutting down\r\n", line)
	_, err = br.ReadString('\n')
	require.ErrorIs(t, err, io.EOF)
	require.Equal(t, []string{"m1"}, ts.UIDs("alice"))
	_, err = net.Dial("tcp", ts.Addr)
	require.Error(t, err)
}

// TestServer_MaxConnections refuses sessions over the limit with -ERR
// [SYS/TEMP] (RFC 3206 section 4) when every session has logged in (one
// that has not would be closed to make room instead).
func TestServer_MaxConnections(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithServer(func(s *pop3.Server) { s.MaxConnections = 2 }),
		pop3test.WithUser("alice", "p"), pop3test.WithUser("bob", "p"))
	var conns []*bufio.Reader
	for _, user := range []string{"alice", "bob"} {
		nc, err := net.Dial("tcp", ts.Addr)
		require.NoError(t, err)
		defer nc.Close()
		br := bufio.NewReader(nc)
		nc.Write([]byte("USER " + user + "\r\nPASS p\r\n"))
		for range 3 {
			line, err := br.ReadString('\n')
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(line, "+OK"), line)
		}
		conns = append(conns, br)
	}
	nc, err := net.Dial("tcp", ts.Addr)
	require.NoError(t, err)
	defer nc.Close()
	line, err := bufio.NewReader(nc).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "-ERR [SYS/TEMP] Too many connections, try again later\r\n", line)
	require.Len(t, conns, 2)
}

// TestServer_ConcurrentSessions runs many users' sessions at once.
func TestServer_ConcurrentSessions(t *testing.T) {
	var opts []pop3test.Option
	for i := range 20 {
		opts = append(opts, pop3test.WithUser("u"+string(rune('a'+i)), "p", []byte("m\r\n")))
	}
	ts := pop3test.NewServer(t, append(opts, pop3test.WithInsecureAuth())...)
	ctx := testContext(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			c, err := pop3.Dial(ctx, ts.Addr, nil)
			if !assertNoError(t, err) {
				return
			}
			defer c.Close()
			user := "u" + string(rune('a'+i))
			if !assertNoError(t, c.Login(ctx, user, "p")) || !assertNoError(t, c.Dele(ctx, 1)) {
				return
			}
			assertNoError(t, c.Quit(ctx))
		})
	}
	wg.Wait()
	for i := range 20 {
		require.Empty(t, ts.UIDs("u"+string(rune('a'+i))))
	}
}

func assertNoError(t *testing.T, err error) bool {
	if err != nil {
		t.Error(err)
		return false
	}
	return true
}

// TestServer_DebugRedactsPasswords checks the Debug trace.
func TestServer_DebugRedactsPasswords(t *testing.T) {
	var mu sync.Mutex
	var trace bytes.Buffer
	ts := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret", []byte("a\r\n")),
		pop3test.WithServer(func(s *pop3.Server) { s.Debug = lockedWriter{&mu, &trace} }))
	ctx := testContext(t)
	c, err := pop3.Dial(ctx, ts.Addr, nil)
	require.NoError(t, err)
	require.NoError(t, c.Auth(ctx, pop3.PlainAuth("", "alice", "secret")))
	r, err := c.Retr(ctx, 1)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.NoError(t, c.Quit(ctx))
	require.NoError(t, ts.WaitIdle(ctx))
	mu.Lock()
	defer mu.Unlock()
	out := trace.String()
	require.Contains(t, out, "C: AUTH PLAIN ***")
	require.Contains(t, out, "S: [3 octets of message 1]")
	require.NotContains(t, out, "AGFsaWNlAHNlY3JldA")
	require.NotContains(t, out, "secret")
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// BenchmarkRetr measures RETR of a 1 MB message over loopback, server and
// client included.
func BenchmarkRetr(b *testing.B) {
	const size = 1 << 20
	addr := startServer(b, &pop3.Server{Backend: bigBackend{size}, AllowInsecureAuth: true})
	ctx := context.Background()
	c, err := pop3.Dial(ctx, addr, nil)
	require.NoError(b, err)
	defer c.Close()
	require.NoError(b, c.Login(ctx, "u", "p"))
	buf := make([]byte, 32<<10)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		r, err := c.Retr(ctx, 1)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(io.Discard, onlyReader{r}, buf); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

// BenchmarkList measures LIST and UIDL of a 1000-message maildrop.
func BenchmarkList(b *testing.B) {
	var msgs [][]byte
	for range 1000 {
		msgs = append(msgs, []byte("Subject: x\r\n\r\nbody\r\n"))
	}
	ts := pop3test.NewServer(b, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret", msgs...))
	ctx := context.Background()
	c, err := pop3.Dial(ctx, ts.Addr, nil)
	require.NoError(b, err)
	defer c.Close()
	require.NoError(b, c.Login(ctx, "alice", "secret"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.List(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Uidl(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

type onlyReader struct{ io.Reader }

// wellFormed gives every verb a command line the parser takes, so that a
// refusal can only come from the state table.
var wellFormed = map[pop3.Verb]string{
	pop3.VerbUSER: "USER alice", pop3.VerbPASS: "PASS secret", pop3.VerbAPOP: "APOP alice 0123456789abcdef0123456789abcdef",
	pop3.VerbAUTH: "AUTH PLAIN", pop3.VerbSTLS: "STLS", pop3.VerbCAPA: "CAPA", pop3.VerbUTF8: "UTF8",
	pop3.VerbSTAT: "STAT", pop3.VerbLIST: "LIST", pop3.VerbRETR: "RETR 1", pop3.VerbDELE: "DELE 1",
	pop3.VerbNOOP: "NOOP", pop3.VerbRSET: "RSET", pop3.VerbTOP: "TOP 1 0", pop3.VerbUIDL: "UIDL", pop3.VerbQUIT: "QUIT",
}

// TestServer_RefusesOutOfState_RFC1939_3: every command the state table
// refuses in AUTHORIZATION and in TRANSACTION (the states a session reads
// commands in) is answered -ERR, and the session goes on in the same
// state: a login still works in AUTHORIZATION, STAT in TRANSACTION.
func TestServer_RefusesOutOfState_RFC1939_3(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret", []byte("a\r\n")))
	tests := []struct {
		state        pop3.State
		before, then string // the lines that reach state, and lines that work there
	}{
		{pop3.StateAuthorization, "", "USER alice\r\nPASS secret\r\n"},
		{pop3.StateTransaction, "USER alice\r\nPASS secret\r\n", "STAT\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.state.String(), func(t *testing.T) {
			nc, err := net.Dial("tcp", ts.Addr)
			require.NoError(t, err)
			defer nc.Close()
			br := bufio.NewReader(nc)
			expectOK := func(n int) {
				t.Helper()
				for range n {
					line, err := br.ReadString('\n')
					require.NoError(t, err)
					require.True(t, strings.HasPrefix(line, "+OK"), line)
				}
			}
			expectOK(1) // the greeting
			_, err = io.WriteString(nc, tt.before)
			require.NoError(t, err)
			expectOK(strings.Count(tt.before, "\n"))
			refused := 0
			for v := pop3.VerbUSER; v <= pop3.VerbQUIT; v++ {
				if pop3.Allowed(tt.state, v) {
					continue
				}
				refused++
				_, err := io.WriteString(nc, wellFormed[v]+"\r\n")
				require.NoError(t, err)
				line, err := br.ReadString('\n')
				require.NoError(t, err)
				require.Equal(t, "-ERR "+v.String()+" not allowed in the "+tt.state.String()+" state\r\n", line)
			}
			require.NotZero(t, refused)
			_, err = io.WriteString(nc, tt.then)
			require.NoError(t, err)
			expectOK(strings.Count(tt.then, "\n"))
		})
	}
}
