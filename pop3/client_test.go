package pop3_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3mem"
	"github.com/mailwire/mailwire/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

// testContext bounds a test's network calls so that a hung peer fails the
// test; the helper is shared by every package's tests.
var testContext = testutil.Context

// messageText returns a function that reads a whole message reader.
func messageText(t *testing.T) func(*pop3.MessageReader, error) string {
	return func(r *pop3.MessageReader, err error) string {
		t.Helper()
		return readAll(t, r, err)
	}
}

func readAll(t *testing.T, r *pop3.MessageReader, err error) string {
	t.Helper()
	require.NoError(t, err)
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	return string(b)
}

// TestClientServer_RFC1939 runs the Client against the Server: APOP,
// pipelined login and DELE (RFC 2449 6.6), UTF8, TOP, and deletions
// applied in UPDATE (RFC 1939 section 6).
func TestClientServer_RFC1939(t *testing.T) {
	msgs := [][]byte{[]byte("Subject: 1\r\n\r\n.dot\r\n"), []byte("Subject: 2\n\nbare LF\n"), []byte("Subject: 3\r\n\r\nx\r\n")}
	ts := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret", msgs...))
	ctx := testContext(t)

	c, err := pop3.Dial(ctx, ts.Addr, nil)
	require.NoError(t, err)
	defer c.Close()
	require.NotEmpty(t, c.APOPTimestamp())
	require.NoError(t, c.UTF8(ctx))
	err = c.APOP(ctx, "alice", "wrong")
	var resp *pop3.Response
	require.ErrorAs(t, err, &resp)
	require.Equal(t, pop3.CodeAuth, resp.Code)
	require.NoError(t, c.APOP(ctx, "alice", "secret"))
	text := messageText(t)

	require.Equal(t, "Subject: 1\r\n\r\n.dot\r\n", text(c.Retr(ctx, 1)))
	require.Equal(t, "Subject: 2\r\n\r\nbare LF\r\n", text(c.Retr(ctx, 2)))
	require.Equal(t, "Subject: 3\r\n\r\n", text(c.Top(ctx, 3, 0)))
	list, err := c.List(ctx)
	require.NoError(t, err)
	require.Equal(t, []pop3.ListItem{{1, 20}, {2, 23}, {3, 17}}, list)

	caps, err := c.Capa(ctx)
	require.NoError(t, err)
	require.True(t, caps.Has("pipelining"))
	require.NoError(t, c.Dele(ctx, 1, 3))
	err = c.Dele(ctx, 3, 2)
	require.ErrorAs(t, err, &resp, "3 is already deleted")
	uids, err := c.Uidl(ctx)
	require.NoError(t, err)
	require.Empty(t, uids, "2 was marked too")
	require.NoError(t, c.Rset(ctx))
	require.NoError(t, c.Dele(ctx, 1, 3))
	require.NoError(t, c.Noop(ctx))
	require.NoError(t, c.Quit(ctx))
	require.Equal(t, []string{"m1", "m3"}, ts.Deleted("alice"))
	require.Equal(t, []string{"m2"}, ts.UIDs("alice"))

	// Out of sequence calls send nothing.
	c2, err := pop3.Dial(ctx, ts.Addr, nil)
	require.NoError(t, err)
	defer c2.Close()
	_, _, err = c2.Stat(ctx)
	require.ErrorIs(t, err, pop3.ErrClientState)
	_, err = c2.Capa(ctx)
	require.NoError(t, err)
	require.NoError(t, c2.Login(ctx, "alice", "secret"), "pipelined USER and PASS")
	r, err := c2.Retr(ctx, 1)
	require.NoError(t, err)
	require.ErrorIs(t, c2.Noop(ctx), pop3.ErrClientState, "the reader owns the connection")
	require.NoError(t, r.Close())
	require.NoError(t, c2.Noop(ctx))
	_, err = c2.Retr(ctx, 0)
	require.ErrorIs(t, err, pop3.ErrInvalidArgument)
}

// TestClient_QuitFails_RFC1939_6: when the server cannot remove the marked
// messages, Quit returns the -ERR and the messages stay.
func TestClient_QuitFails_RFC1939_6(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret", []byte("a\r\n")))
	ts.FailDelete(errors.New("disk on fire"))
	ctx := testContext(t)
	c, err := pop3.Dial(ctx, ts.Addr, nil)
	require.NoError(t, err)
	require.NoError(t, c.Login(ctx, "alice", "secret"))
	require.NoError(t, c.Dele(ctx, 1))
	err = c.Quit(ctx)
	var resp *pop3.Response
	require.ErrorAs(t, err, &resp)
	require.Equal(t, pop3.CodeSysTemp, resp.Code)
	require.Equal(t, pop3.StateClosed, c.State(), "UPDATE ends the session whatever its outcome")
	require.Equal(t, []string{"m1"}, ts.UIDs("alice"))
}

// TestClient_DroppedConnectionDeletesNothing_RFC1939_6 closes the
// connection after DELE: the server must not enter UPDATE.
func TestClient_DroppedConnectionDeletesNothing_RFC1939_6(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret", []byte("a\r\n"), []byte("b\r\n")))
	ctx := testContext(t)
	c, err := pop3.Dial(ctx, ts.Addr, nil)
	require.NoError(t, err)
	require.NoError(t, c.Login(ctx, "alice", "secret"))
	require.NoError(t, c.Dele(ctx, 1, 2))
	require.NoError(t, c.Close())
	require.NoError(t, ts.WaitIdle(ctx))
	require.Equal(t, []string{"m1", "m2"}, ts.UIDs("alice"))
	require.Empty(t, ts.Deleted("alice"))
}

// TestClient_StartTLSAndAuth_RFC2595_RFC5034 upgrades with STLS on a
// server that refuses cleartext passwords, then logs in with AUTH.
func TestClient_StartTLSAndAuth_RFC2595_RFC5034(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithTLS(), pop3test.WithUser("alice", "secret"))
	ctx := testContext(t)
	for _, mech := range []pop3.SASLClient{pop3.PlainAuth("", "alice", "secret"), pop3.LoginAuth("alice", "secret")} {
		c, err := pop3.Dial(ctx, ts.Addr, nil)
		require.NoError(t, err)
		err = c.Auth(ctx, mech)
		var resp *pop3.Response
		require.ErrorAs(t, err, &resp, "cleartext refused")
		require.Equal(t, pop3.CodeAuth, resp.Code)
		require.Equal(t, pop3.StateAuthorization, c.State(), "a refused AUTH stays")
		require.NoError(t, c.StartTLS(ctx, ts.ClientTLSConfig()))
		require.Equal(t, pop3.StateAuthorization, c.State(), "RFC 2595 4: STLS stays in AUTHORIZATION")
		require.NoError(t, c.Auth(ctx, mech))
		require.Equal(t, pop3.StateTransaction, c.State())
		require.NoError(t, c.Quit(ctx))
	}
}

// TestClient_ContextCancel: a cancelled context ends a blocked call and
// breaks the client.
func TestClient_ContextCancel(t *testing.T) {
	addr := testutil.ServeOnce(t, func(nc net.Conn) {
		nc.Write([]byte("+OK hi\r\n"))
		bufio.NewReader(nc).ReadString('\n')
		nc.Write([]byte("-ERR no CAPA\r\n")) // the CAPA of NewClient
		io.Copy(io.Discard, nc)              // never answers again
	})
	ctx := testContext(t)
	c, err := pop3.Dial(ctx, addr, nil)
	require.NoError(t, err)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = c.Capa(short)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Error(t, c.Noop(ctx))
}

// FuzzClientResponses feeds arbitrary server output to the Client's
// status line, listing and multi-line readers (RFC 1939 section 3): no
// panic, no hang, and a message that is read equals the unstuffed input.
func FuzzClientResponses(f *testing.F) {
	for _, s := range []string{
		"+OK\r\n-ERR\r\n+OK\r\n+OK\r\n+OK 2\r\n1 10\r\n2 20\r\n.\r\n+OK\r\n1 a\r\n.\r\n+OK\r\nx\r\n..y\r\n.\r\n",
		"+OK\r\n+OK\r\nUSER\r\n.\r\n-ERR [IN-USE] x\r\n",
		"+OK <a@b>\r\n-ERR\r\n+OK\r\n+OK 1 2\r\n+OK\r\n\n.\n.\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		ctx := context.Background()
		c, err := pop3.NewClient(ctx, &testutil.ScriptConn{R: bytes.NewReader(in)}, nil)
		if err != nil {
			return
		}
		if c.User(ctx, "u") != nil || c.Pass(ctx, "p") != nil {
			return
		}
		c.Stat(ctx)
		c.List(ctx)
		c.Uidl(ctx)
		if r, err := c.Retr(ctx, 1); err == nil {
			data, err := io.ReadAll(r)
			if err == nil && bytes.Contains(data, []byte("\r\n.\r\n")) && !strings.HasPrefix(string(data), ".") {
				// An unstuffed terminator can only come from "..".
				require.Contains(t, string(in), "\r\n..\r\n")
			}
			r.Close()
		}
	})
}

// TestClient_ImplicitTLS_RFC8314 serves POP3 over a TLS listener (port 995
// style) and connects with DialTLS; USER/PASS is allowed there by default.
func TestClient_ImplicitTLS_RFC8314(t *testing.T) {
	pair, err := testcert.New("localhost", "127.0.0.1")
	require.NoError(t, err)
	store := &pop3mem.Store{}
	store.AddUser("alice", "secret")
	srv := &pop3.Server{Backend: store}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(tls.NewListener(l, pair.ServerConfig()))
	t.Cleanup(func() { srv.Close() })

	ctx := testContext(t)
	c, err := pop3.DialTLS(ctx, l.Addr().String(), &pop3.Options{TLSConfig: pair.ClientConfig()})
	require.NoError(t, err)
	defer c.Close()
	caps, err := c.Capa(ctx)
	require.NoError(t, err)
	require.False(t, caps.Has("STLS"))
	require.True(t, caps.Has("USER"))
	require.NoError(t, c.Login(ctx, "alice", "secret"))
	require.NoError(t, c.Quit(ctx))
}

// writeCounter counts the octets the client writes.
type writeCounter struct {
	net.Conn
	n int
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.n += len(p)
	return w.Conn.Write(p)
}

// clientCalls makes every command method of the Client, by the verb it
// sends first.
var clientCalls = map[pop3.Verb]func(context.Context, *pop3.Client) error{
	pop3.VerbUSER: func(ctx context.Context, c *pop3.Client) error { return c.User(ctx, "alice") },
	pop3.VerbPASS: func(ctx context.Context, c *pop3.Client) error { return c.Pass(ctx, "secret") },
	pop3.VerbAPOP: func(ctx context.Context, c *pop3.Client) error { return c.APOP(ctx, "alice", "secret") },
	pop3.VerbAUTH: func(ctx context.Context, c *pop3.Client) error {
		return c.Auth(ctx, pop3.PlainAuth("", "alice", "secret"))
	},
	pop3.VerbSTLS: func(ctx context.Context, c *pop3.Client) error { return c.StartTLS(ctx, nil) },
	pop3.VerbCAPA: func(ctx context.Context, c *pop3.Client) error { _, err := c.Capa(ctx); return err },
	pop3.VerbUTF8: func(ctx context.Context, c *pop3.Client) error { return c.UTF8(ctx) },
	pop3.VerbSTAT: func(ctx context.Context, c *pop3.Client) error { _, _, err := c.Stat(ctx); return err },
	pop3.VerbLIST: func(ctx context.Context, c *pop3.Client) error { _, err := c.List(ctx); return err },
	pop3.VerbRETR: func(ctx context.Context, c *pop3.Client) error { _, err := c.Retr(ctx, 1); return err },
	pop3.VerbDELE: func(ctx context.Context, c *pop3.Client) error { return c.Dele(ctx, 1) },
	pop3.VerbNOOP: func(ctx context.Context, c *pop3.Client) error { return c.Noop(ctx) },
	pop3.VerbRSET: func(ctx context.Context, c *pop3.Client) error { return c.Rset(ctx) },
	pop3.VerbTOP:  func(ctx context.Context, c *pop3.Client) error { _, err := c.Top(ctx, 1, 0); return err },
	pop3.VerbUIDL: func(ctx context.Context, c *pop3.Client) error { _, err := c.Uidl(ctx); return err },
	pop3.VerbQUIT: func(ctx context.Context, c *pop3.Client) error { return c.Quit(ctx) },
}

// TestClient_RefusesOutOfState_RFC1939_3: in AUTHORIZATION and in
// TRANSACTION every command the state table refuses returns
// ErrClientState and writes nothing; the session then goes on.
func TestClient_RefusesOutOfState_RFC1939_3(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret", []byte("a\r\n")))
	ctx := testContext(t)
	for _, state := range []pop3.State{pop3.StateAuthorization, pop3.StateTransaction} {
		t.Run(state.String(), func(t *testing.T) {
			nc, err := net.Dial("tcp", ts.Addr)
			require.NoError(t, err)
			conn := &writeCounter{Conn: nc}
			c, err := pop3.NewClient(ctx, conn, nil)
			require.NoError(t, err)
			defer c.Close()
			if state == pop3.StateTransaction {
				require.NoError(t, c.Login(ctx, "alice", "secret"))
			}
			require.Equal(t, state, c.State())
			refused := 0
			for v := pop3.VerbUSER; v <= pop3.VerbQUIT; v++ {
				if pop3.Allowed(state, v) {
					continue
				}
				refused++
				call, ok := clientCalls[v]
				require.True(t, ok, "no Client method for %s", v)
				before := conn.n
				require.ErrorIs(t, call(ctx, c), pop3.ErrClientState, "%s in %s", v, state)
				require.Equal(t, before, conn.n, "%s in %s wrote to the connection", v, state)
				require.Equal(t, state, c.State())
			}
			require.NotZero(t, refused)
			require.NoError(t, c.Quit(ctx), "the session goes on")
			require.Equal(t, pop3.StateClosed, c.State())
			before := conn.n
			require.ErrorIs(t, c.Noop(ctx), pop3.ErrClosed, "CLOSED: the closed connection's error wins")
			require.Equal(t, before, conn.n)
		})
	}
}
