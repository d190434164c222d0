package pop3maildir_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/message/maildir"
	"github.com/mailwire/mailwire/pop3"
)

// The messages are appended with LF line ends, as an MDA stores them;
// POP3 counts and sends them with CRLF.
var lfMessages = []string{
	"Subject: one\n\nHello.\n",
	"Subject: dots\n\n.leading\n..two\n.\nend\n",
	"Subject: three\r\n\r\nline 1\r\nline 2\n",
}

var wireMessages = []string{
	"Subject: one\r\n\r\nHello.\r\n",
	"Subject: dots\r\n\r\n.leading\r\n..two\r\n.\r\nend\r\n",
	"Subject: three\r\n\r\nline 1\r\nline 2\r\n",
}

// TestSession_RFC1939_5: STAT, LIST and RETR give each message in its
// wire form (CRLF line ends, RFC 1939 section 5: LIST counts what RETR
// sends); UIDL is Dovecot's default "%08Xu%08Xv" (RFC 1939 section 7);
// DELE then QUIT removes the messages marked (section 6), the others
// stay with the same UIDL.
func TestSession_RFC1939_5(t *testing.T) {
	ctx := context.Background()
	stores := newStores(t, t.TempDir())
	mb := inbox(t, stores, "alice")
	uids0, validity := deliver(t, mb, lfMessages...)
	addr := serve(t, stores)

	c := mustLogin(t, addr, "alice", "secret")
	n, size, err := c.Stat(ctx)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	var total int64
	for _, m := range wireMessages {
		total += int64(len(m))
	}
	require.Equal(t, total, size)

	list, err := c.List(ctx)
	require.NoError(t, err)
	uidl, err := c.Uidl(ctx)
	require.NoError(t, err)
	require.Len(t, list, 3)
	require.Len(t, uidl, 3)
	for i, want := range wireMessages {
		require.Equal(t, pop3.ListItem{Number: i + 1, Size: int64(len(want))}, list[i])
		require.Equal(t, pop3.UIDItem{Number: i + 1, UID: fmt.Sprintf("%08x%08x", uids0[i], validity)}, uidl[i])
		require.Equal(t, want, retr(t, c, i+1), "message %d", i+1)
	}

	require.NoError(t, c.Dele(ctx, 1, 3))
	require.NoError(t, c.Quit(ctx))
	require.Equal(t, []uint32{uids0[1]}, uids(t, mb))

	c = mustLogin(t, addr, "alice@example.test", "secret")
	uidl2, err := c.Uidl(ctx)
	require.NoError(t, err)
	require.Equal(t, []pop3.UIDItem{{Number: 1, UID: uidl[1].UID}}, uidl2)
	require.Equal(t, wireMessages[1], retr(t, c, 1))
	require.NoError(t, c.Quit(ctx))
}

// TestLogin_RFC3206_5: a wrong password or an unknown user gets -ERR
// [AUTH] and opens nothing; the right one opens the maildrop.
func TestLogin_RFC3206_5(t *testing.T) {
	stores := newStores(t, t.TempDir())
	addr := serve(t, stores)
	for _, tc := range []struct{ user, password string }{
		{"alice", "wrong"},
		{"carol", "secret"},
	} {
		_, err := login(t, addr, tc.user, tc.password)
		require.Equal(t, pop3.CodeAuth, code(t, err), "%s/%s", tc.user, tc.password)
	}
	c := mustLogin(t, addr, "Alice@Example.Test", "secret")
	require.NoError(t, c.Quit(context.Background()))
}

// TestLock_InUse_RFC2449_8_1_1: one session per maildrop (RFC 1939
// section 8); a second login gets [IN-USE] from the same server and from
// a second server on its own Stores over the same directory, as another
// process would be, until the first session ends. Another user's
// maildrop is not affected.
func TestLock_InUse_RFC2449_8_1_1(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	addr := serve(t, newStores(t, dir))
	other := serve(t, newStores(t, dir))

	c := mustLogin(t, addr, "alice", "secret")
	for _, a := range []string{addr, other} {
		_, err := login(t, a, "alice", "secret")
		require.Equal(t, pop3.CodeInUse, code(t, err), a)
	}
	bob := mustLogin(t, other, "bob", "hunter2")
	require.NoError(t, bob.Quit(ctx))

	require.NoError(t, c.Quit(ctx))
	c = mustLogin(t, other, "alice", "secret")
	_, err := login(t, addr, "alice", "secret")
	require.Equal(t, pop3.CodeInUse, code(t, err))
	// A session that ends without QUIT releases the lock too.
	require.NoError(t, c.Close())
	require.Eventually(t, func() bool {
		c, err := login(t, addr, "alice", "secret")
		if err == nil {
			c.Quit(ctx)
		}
		return err == nil
	}, 10*time.Second, 20*time.Millisecond)
}

// TestDelete_SeenAsExpunge_RFC1939_6: DELE+QUIT removes the messages
// from the Store, and a Watcher of the INBOX (an IMAP session selected
// on it, RFC 3501 section 7.4.1) sees them Removed; a message that IMAP
// flagged \Deleted but POP3 did not delete stays, and so does one
// delivered during the session, which the session did not list (RFC 1939
// section 5).
func TestDelete_SeenAsExpunge_RFC1939_6(t *testing.T) {
	ctx := context.Background()
	stores := newStores(t, t.TempDir())
	mb := inbox(t, stores, "alice")
	uids0, _ := deliver(t, mb, lfMessages...)
	_, _, err := mb.SetFlags(ctx, nil, uids0[2:], maildir.FlagsAdd, []string{`\Deleted`}, 0)
	require.NoError(t, err)
	w := mb.Watch()
	defer w.Close()
	addr := serve(t, stores)

	c := mustLogin(t, addr, "alice", "secret")
	late, _ := deliver(t, mb, "Subject: late\n\nlate\n")
	n, _, err := c.Stat(ctx)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	require.NoError(t, c.Dele(ctx, 1, 2))
	require.NoError(t, c.Quit(ctx))

	var removed []uint32
	deadline := time.After(10 * time.Second)
	for len(removed) < 2 {
		for _, ch := range w.Changes() {
			if ch.Kind == maildir.Removed {
				removed = append(removed, ch.UID)
			}
		}
		if len(removed) < 2 {
			select {
			case <-w.Notify():
			case <-deadline:
				t.Fatalf("the Watcher saw %v removed", removed)
			}
		}
	}
	require.ElementsMatch(t, uids0[:2], removed)
	require.Equal(t, []uint32{uids0[2], late[0]}, uids(t, mb))
}

// TestExpungedMeanwhile_Dovecot: a message removed after login (an IMAP
// EXPUNGE) answers RETR and TOP with -ERR, as Dovecot's pop3 does
// ("Message N expunged."), and the session goes on; DELE of it and QUIT
// succeed, since it is gone either way (RFC 1939 section 6).
func TestExpungedMeanwhile_Dovecot(t *testing.T) {
	ctx := context.Background()
	stores := newStores(t, t.TempDir())
	mb := inbox(t, stores, "alice")
	uids0, _ := deliver(t, mb, lfMessages...)
	addr := serve(t, stores)

	c := mustLogin(t, addr, "alice", "secret")
	_, err := mb.Remove(ctx, nil, uids0[:1])
	require.NoError(t, err)
	_, err = c.Retr(ctx, 1)
	require.EqualError(t, err, "-ERR Message 1 expunged.")
	_, err = c.Top(ctx, 1, 0)
	require.EqualError(t, err, "-ERR Message 1 expunged.")
	require.Equal(t, wireMessages[1], retr(t, c, 2))
	require.NoError(t, c.Dele(ctx, 1, 2))
	require.NoError(t, c.Quit(ctx))
	require.Equal(t, uids0[2:], uids(t, mb))
}

// TestEmptyMaildrop_RFC1939_5: a user without mail (a Maildir not yet
// created) logs in to an empty maildrop.
func TestEmptyMaildrop_RFC1939_5(t *testing.T) {
	ctx := context.Background()
	addr := serve(t, newStores(t, t.TempDir()))
	c := mustLogin(t, addr, "bob", "hunter2")
	n, size, err := c.Stat(ctx)
	require.NoError(t, err)
	require.Equal(t, 0, n)
	require.Equal(t, int64(0), size)
	require.NoError(t, c.Quit(ctx))
}
