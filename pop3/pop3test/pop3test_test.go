package pop3test_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

func TestServer_DeliverAndDeleted(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithUser("alice", "secret"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	uid, err := ts.Deliver("alice", []byte("Subject: x\n\nbody\n"))
	require.NoError(t, err)

	c, err := pop3.Dial(ctx, ts.Addr)
	require.NoError(t, err)
	require.NoError(t, c.Login(ctx, "alice", "secret"))
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

// TestServer_FailCommand answers with the chosen response, or drops the
// connection for an error that is not a *pop3.Response.
func TestServer_FailCommand(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithUser("alice", "secret", []byte("a\r\n")))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ts.FailCommand(pop3.VerbSTAT, pop3.ErrResponse(pop3.CodeSysPerm, "broken"))
	ts.FailCommand(pop3.VerbNOOP, errors.New("drop"))

	c, err := pop3.Dial(ctx, ts.Addr)
	require.NoError(t, err)
	require.NoError(t, c.Login(ctx, "alice", "secret"))
	_, _, err = c.Stat(ctx)
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
}

func TestServer_TLS(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithTLS())
	require.NotEmpty(t, ts.CertPEM())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pop3.Dial(ctx, ts.Addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.StartTLS(ctx, ts.ClientTLSConfig()))

	require.Nil(t, pop3test.NewServer(t).ClientTLSConfig())
	nc, err := net.Dial("tcp", ts.Addr)
	require.NoError(t, err)
	defer nc.Close()
	line, err := bufio.NewReader(nc).ReadString('\n')
	require.NoError(t, err)
	require.Regexp(t, `^\+OK pop3test.local POP3 server ready <`, line)
}
