package pop3test_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

// login dials ts and logs in over cleartext, which the server must allow
// (WithInsecureAuth) and the client too.
func login(t *testing.T, ts *pop3test.Server, user, pass string) *pop3.Client {
	t.Helper()
	c, err := pop3.Dial(testutil.Context(t), ts.Addr, nil)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.Login(testutil.Context(t), user, pass))
	return c
}

// RFC 1939 section 6: a message delivered with Deliver is read with RETR;
// the deletion QUIT applies is recorded.
func TestServer_DeliverAndDeleted_RFC1939_6(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithUser("alice", "secret"), pop3test.WithInsecureAuth())
	ctx := testutil.Context(t)
	uid, err := ts.Deliver("alice", []byte("Subject: x\n\nbody\n"))
	require.NoError(t, err)

	c := login(t, ts, "alice", "secret")
	r, err := c.Retr(ctx, 1)
	require.NoError(t, err)
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.Equal(t, "Subject: x\r\n\r\nbody\r\n", string(b))
	require.NoError(t, c.Dele(ctx, 1))
	require.NoError(t, c.Quit(ctx))
	require.NoError(t, ts.WaitIdle(ctx))
	require.Equal(t, []string{uid}, ts.Deleted("alice"))
	require.Empty(t, ts.Messages("alice"))
}

// RFC 3206 section 4: FailCommand answers with the chosen response until
// lifted; DropOn closes the connection without one at the next such
// command, once.
func TestServer_FailCommandAndDropOn_RFC3206_4(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithUser("alice", "secret", []byte("a\r\n")), pop3test.WithInsecureAuth())
	ctx := testutil.Context(t)
	ts.FailCommand(pop3.VerbSTAT, pop3.ErrResponse(pop3.CodeSysPerm, "broken"))
	ts.DropOn(pop3.VerbNOOP)

	c := login(t, ts, "alice", "secret")
	_, _, err := c.Stat(ctx)
	var resp *pop3.Response
	require.ErrorAs(t, err, &resp)
	require.Equal(t, "-ERR [SYS/PERM] broken", resp.Error())
	ts.FailCommand(pop3.VerbSTAT, nil)
	n, _, err := c.Stat(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Error(t, c.Noop(ctx))
	require.False(t, errors.As(c.Noop(ctx), &resp), "the connection is gone")
	require.NoError(t, ts.WaitIdle(ctx))
	require.Equal(t, []string{"m1"}, ts.UIDs("alice"))

	c = login(t, ts, "alice", "secret")
	require.NoError(t, c.Noop(ctx), "DropOn acts once")
}

// RFC 2595 section 4: WithTLS offers STLS with a certificate that
// ClientTLSConfig trusts; without TLS there is neither.
func TestServer_WithTLS_RFC2595_4(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithTLS())
	require.Contains(t, string(ts.CertificatePEM()), "BEGIN CERTIFICATE")
	ctx := testutil.Context(t)
	c, err := pop3.Dial(ctx, ts.Addr, nil)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.StartTLS(ctx, ts.ClientTLSConfig()))

	plain := pop3test.NewServer(t)
	require.Nil(t, plain.ClientTLSConfig())
	require.Nil(t, plain.CertificatePEM())
	nc, err := net.Dial("tcp", ts.Addr)
	require.NoError(t, err)
	defer nc.Close()
	line, err := bufio.NewReader(nc).ReadString('\n')
	require.NoError(t, err)
	require.Regexp(t, `^\+OK pop3test.local POP3 server ready <`, line)
}

// RFC 8314 section 3.3: WithImplicitTLS speaks TLS from the first octet,
// and a password is accepted over it without WithInsecureAuth.
func TestServer_WithImplicitTLS_RFC8314_3_3(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithImplicitTLS(), pop3test.WithUser("alice", "secret", []byte("a\r\n")))
	ctx := testutil.Context(t)
	c, err := pop3.DialTLS(ctx, ts.Addr, &pop3.Options{TLSConfig: ts.ClientTLSConfig()})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Login(ctx, "alice", "secret"))
	n, _, err := c.Stat(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

// RFC 2595 section 2.1: passwords over cleartext are refused unless the
// test asks for them with WithInsecureAuth.
func TestServer_NoCleartextPassword_RFC2595_2_1(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithUser("alice", "secret"))
	ctx := testutil.Context(t)
	c, err := pop3.Dial(ctx, ts.Addr, nil)
	require.NoError(t, err)
	defer c.Close()
	err = c.Login(ctx, "alice", "secret")
	var resp *pop3.Response
	require.ErrorAs(t, err, &resp)
	require.Equal(t, pop3.CodeAuth, resp.Code)
}

// WaitMessages counts deliveries, not preloaded messages, and is woken by
// each one; Reset empties the maildrops, the count and the faults, and
// keeps the users.
func TestServer_WaitMessagesAndReset(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithUser("alice", "secret", []byte("old\r\n")), pop3test.WithInsecureAuth())
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, ts.WaitMessages(short, 1), context.DeadlineExceeded)

	go ts.Deliver("alice", []byte("new\r\n"))
	require.NoError(t, ts.WaitMessages(testutil.Context(t), 1))
	require.Len(t, ts.Messages("alice"), 2)

	ts.FailCommand(pop3.VerbSTAT, pop3.ErrResponse(pop3.CodeSysTemp, "x"))
	ts.FailDelete(pop3.ErrResponse(pop3.CodeSysTemp, "y"))
	ts.Reset()
	require.Empty(t, ts.Messages("alice"))
	short2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	require.ErrorIs(t, ts.WaitMessages(short2, 1), context.DeadlineExceeded)

	_, err := ts.Deliver("alice", []byte("after\r\n"))
	require.NoError(t, err)
	c := login(t, ts, "alice", "secret")
	n, _, err := c.Stat(testutil.Context(t))
	require.NoError(t, err, "the fault is gone")
	require.Equal(t, 1, n)
	require.NoError(t, c.Dele(testutil.Context(t), 1))
	require.NoError(t, c.Quit(testutil.Context(t)), "FailDelete is gone")
}
