package pop3_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/dovecottest"
	"github.com/mailwire/mailwire/pop3"
	"github.com/stretchr/testify/require"
)

// dovecot is a private Dovecot POP3 server (internal/dovecottest) on
// 127.0.0.1 with user alice/secret and a Maildir it preloads.
type dovecot struct {
	addr  string      // plain POP3 with STLS
	addrs string      // POP3 over implicit TLS (RFC 8314)
	tls   *tls.Config // trusts Dovecot's run-time certificate
	files []string    // the preloaded messages, as Dovecot serves them, in order
}

func startDovecot(t *testing.T, msgs []string) *dovecot {
	files := make(map[string]string, len(msgs))
	var names []string
	for i, m := range msgs {
		// Maildir file names sort by delivery time, which orders messages.
		name := fmt.Sprintf("cur/%d.M%dP1.mailwire,S=%d:2,", 1700000000+i, i, len(m))
		files["alice/"+name] = m
		names = append(names, name)
	}
	s := dovecottest.Start(t, dovecottest.Config{
		Protocols:      []string{"pop3"},
		AuthMechanisms: "plain login apop",
		Files:          files,
		// A UIDL that does not depend on the time the test ran.
		Extra: "protocol pop3 {\n  pop3_uidl_format = %08Xu%08Xv\n}\n",
	})
	d := &dovecot{addr: s.POP3, addrs: s.POP3S, tls: s.ClientTLS}
	for _, name := range names {
		d.files = append(d.files, filepath.Join(s.Maildir("alice"), name))
	}
	return d
}

// maildirFiles returns the message files left in the Maildir.
func maildirFiles(t *testing.T, d *dovecot) []string {
	dir := filepath.Dir(filepath.Dir(d.files[0]))
	var out []string
	for _, sub := range []string{"cur", "new"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		require.NoError(t, err)
		for _, e := range entries {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

var dovecotMessages = []string{
	"From: a@example.test\r\nSubject: first\r\n\r\nHello.\r\n",
	"Subject: dots\r\n\r\n.leading dot\r\n..two\r\n.\r\nend\r\n",
	"Subject: big\r\n\r\n" + strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyz\r\n", 5000),
	"Subject: last\r\n\r\nbody line 1\r\nbody line 2\r\nbody line 3\r\n",
}

// TestClient_Dovecot runs every POP3 command of the Client against
// Dovecot (RFC 1939, RFC 2449, RFC 2595): CAPA and STLS, a refused and an
// accepted login, the listings, retrieval, and deletion in UPDATE.
func TestClient_Dovecot(t *testing.T) {
	d := startDovecot(t, dovecotMessages)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	c, err := pop3.Dial(ctx, d.addr, nil)
	require.NoError(t, err)
	defer c.Close()
	dovecotLogin(ctx, t, c, d)
	dovecotListings(ctx, t, c)
	dovecotRetrieval(ctx, t, c, d)
	dovecotDeletion(ctx, t, c, d)
}

// dovecotLogin checks CAPA before and after STLS, a wrong password's
// typed -ERR (RFC 3206 [AUTH]) and then logs in.
func dovecotLogin(ctx context.Context, t *testing.T, c *pop3.Client, d *dovecot) {
	caps, err := c.Caps()
	require.NoError(t, err, "Dial sent CAPA")
	require.True(t, caps.Has("UIDL"))
	require.True(t, caps.Has("TOP"))
	require.True(t, caps.Has("STLS"))
	require.NoError(t, c.StartTLS(ctx, d.tls))
	caps, err = c.Caps()
	require.NoError(t, err, "StartTLS sent CAPA again")
	require.Equal(t, []string{"PLAIN", "LOGIN"}, caps["SASL"])

	// A wrong password comes back as a typed -ERR (RFC 3206 [AUTH]).
	require.NoError(t, c.User(ctx, "alice"))
	err = c.Pass(ctx, "wrong")
	var resp *pop3.Response
	require.ErrorAs(t, err, &resp)
	require.False(t, resp.OK)
	require.Equal(t, pop3.CodeAuth, resp.Code)

	require.NoError(t, c.Login(ctx, "alice", "secret"))
	require.Equal(t, pop3.StateTransaction, c.State())

}

// dovecotListings checks STAT, LIST and UIDL against the messages.
func dovecotListings(ctx context.Context, t *testing.T, c *pop3.Client) {
	count, size, err := c.Stat(ctx)
	require.NoError(t, err)
	require.Equal(t, len(dovecotMessages), count)
	var total int64
	for _, m := range dovecotMessages {
		total += int64(len(m))
	}
	require.Equal(t, total, size)

	list, err := c.List(ctx)
	require.NoError(t, err)
	require.Len(t, list, len(dovecotMessages))
	for i, item := range list {
		require.Equal(t, i+1, item.Number)
		require.Equal(t, int64(len(dovecotMessages[i])), item.Size)
	}
	one, err := c.ListOne(ctx, 2)
	require.NoError(t, err)
	require.Equal(t, list[1], one)

	uids, err := c.Uidl(ctx)
	require.NoError(t, err)
	require.Len(t, uids, len(dovecotMessages))
	uid3, err := c.UidlOne(ctx, 3)
	require.NoError(t, err)
	require.Equal(t, uids[2], uid3)

}

// dovecotRetrieval checks RETR and TOP, and that a reader closed early
// and a refused RETR leave the session in step.
func dovecotRetrieval(ctx context.Context, t *testing.T, c *pop3.Client, d *dovecot) {
	for i := range dovecotMessages {
		r, err := c.Retr(ctx, i+1)
		require.NoError(t, err)
		got, err := io.ReadAll(r)
		require.NoError(t, err)
		require.NoError(t, r.Close())
		file, err := os.ReadFile(d.files[i])
		require.NoError(t, err)
		require.Equal(t, string(file), string(got), "message %d", i+1)
	}

	// TOP: the header, the empty line and n body lines.
	r, err := c.Top(ctx, 4, 2)
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.Equal(t, "Subject: last\r\n\r\nbody line 1\r\nbody line 2\r\n", string(got))

	// A reader closed early leaves the session in step.
	r, err = c.Retr(ctx, 3)
	require.NoError(t, err)
	_, err = r.Read(make([]byte, 10))
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.NoError(t, c.Noop(ctx))

	var resp *pop3.Response
	_, err = c.Retr(ctx, 99)
	require.ErrorAs(t, err, &resp)
}

// dovecotDeletion checks DELE and RSET, and that Dovecot removes exactly
// the message left marked when QUIT enters UPDATE (RFC 1939 section 6).
func dovecotDeletion(ctx context.Context, t *testing.T, c *pop3.Client, d *dovecot) {
	var resp *pop3.Response
	require.NoError(t, c.Dele(ctx, 1, 2))
	_, err := c.Retr(ctx, 1)
	require.ErrorAs(t, err, &resp)
	require.NoError(t, c.Rset(ctx))
	require.NoError(t, c.Dele(ctx, 1))
	require.NoError(t, c.Quit(ctx))

	// Dovecot removed message 1 in UPDATE, and only that one.
	left := maildirFiles(t, d)
	require.Len(t, left, len(dovecotMessages)-1)
	for _, f := range d.files[1:] {
		base := filepath.Base(f)
		found := false
		for _, l := range left {
			found = found || strings.HasPrefix(l, base[:strings.IndexByte(base, ':')])
		}
		require.True(t, found, "message %s still there", base)
	}
}

// TestClient_DovecotAuthAndTLS logs in to Dovecot with AUTH PLAIN and
// LOGIN (RFC 5034) over implicit TLS (RFC 8314), and with APOP.
func TestClient_DovecotAuthAndTLS(t *testing.T) {
	d := startDovecot(t, dovecotMessages[:1])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, mech := range []pop3.SASLClient{pop3.PlainAuth("", "alice", "secret"), pop3.LoginAuth("alice", "secret")} {
		c, err := pop3.DialTLS(ctx, d.addrs, &pop3.Options{TLSConfig: d.tls})
		require.NoError(t, err)
		_, ok := c.TLSConnectionState()
		require.True(t, ok)
		require.NoError(t, c.Auth(ctx, mech))
		n, _, err := c.Stat(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		require.NoError(t, c.Quit(ctx))
	}
	// APOP (RFC 1939 section 7) with the timestamp of Dovecot's greeting.
	c, err := pop3.Dial(ctx, d.addr, nil)
	require.NoError(t, err)
	require.NotEmpty(t, c.APOPTimestamp())
	require.NoError(t, c.APOP(ctx, "alice", "secret"))
	require.NoError(t, c.Quit(ctx))

	c, err = pop3.DialTLS(ctx, d.addrs, &pop3.Options{TLSConfig: d.tls})
	require.NoError(t, err)
	defer c.Close()
	err = c.Auth(ctx, pop3.PlainAuth("", "alice", "wrong"))
	var resp *pop3.Response
	require.ErrorAs(t, err, &resp)
	require.Equal(t, pop3.StateAuthorization, c.State())
}
