package mailstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/pop3"
)

// stores runs a test against both Store implementations, each with the
// users alice and bob at example.test.
func stores(t *testing.T, test func(t *testing.T, s Store)) {
	users := func() *Users {
		u := NewUsers("example.test")
		require.NoError(t, u.AddList("alice:secret,bob:hunter2"))
		return u
	}
	t.Run("memory", func(t *testing.T) { test(t, NewMemory(users())) })
	t.Run("maildir", func(t *testing.T) {
		s, err := OpenMaildir(t.TempDir(), users())
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		test(t, s)
	})
}

// openMaildir opens a Maildir store for alice and bob under dir.
func openMaildir(t *testing.T, dir string) *Maildir {
	t.Helper()
	u := NewUsers("example.test")
	require.NoError(t, u.AddList("alice:secret,bob:hunter2"))
	s, err := OpenMaildir(dir, u)
	require.NoError(t, err)
	return s
}

func testMessage(i int) string {
	return fmt.Sprintf("Subject: %d\r\n\r\nline one\r\nline two %d\r\n", i, i)
}

func deliver(t *testing.T, s Store, user string, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		require.NoError(t, s.Deliver(context.Background(), user, strings.NewReader(testMessage(i))))
	}
}

// openInbox logs alice in over IMAP and selects her INBOX read-write.
func openInbox(t *testing.T, s Store) (imap.Mailbox, *imap.MailboxView) {
	t.Helper()
	ctx := context.Background()
	u, err := s.IMAP().Login(ctx, nil, "alice", "secret")
	require.NoError(t, err)
	mb, view, err := u.Open(ctx, imap.Inbox, false)
	require.NoError(t, err)
	t.Cleanup(func() { mb.Close(ctx) })
	return mb, view
}

func pop3Code(t *testing.T, err error) pop3.ResponseCode {
	t.Helper()
	var r *pop3.Response
	require.True(t, errors.As(err, &r), "want a POP3 response, got %v", err)
	return r.Code
}

// TestPOP3Maildrop: the POP3 view of the INBOX lists every message with
// its size as sent (CRLF, RFC 1939 section 5) and Dovecot's default UIDL,
// "%08Xu%08Xv" of the UID and UIDVALIDITY (section 7), serves the bytes
// delivered, and logs in with the name or the address at the domain.
func TestPOP3Maildrop(t *testing.T) {
	stores(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		deliver(t, s, "alice", 3)
		_, view := openInbox(t, s)
		_, err := s.POP3().Login(ctx, nil, "alice", "wrong")
		require.Equal(t, pop3.CodeAuth, pop3Code(t, err))
		_, err = s.POP3().Login(ctx, nil, "carol", "secret")
		require.Equal(t, pop3.CodeAuth, pop3Code(t, err))

		d, err := s.POP3().Login(ctx, nil, "Alice@Example.Test", "secret")
		require.NoError(t, err)
		defer d.Close(ctx)
		list, err := d.Messages(ctx)
		require.NoError(t, err)
		require.Len(t, list, 3)
		for i, m := range list {
			require.Equal(t, fmt.Sprintf("%08x%08x", view.UIDs[i], view.UIDValidity), m.UID)
			require.Equal(t, int64(len(testMessage(i+1))), m.Size)
			r, err := d.Open(ctx, i+1)
			require.NoError(t, err)
			data, err := io.ReadAll(r)
			require.NoError(t, err)
			require.NoError(t, r.Close())
			require.Equal(t, testMessage(i+1), string(data))
		}
	})
}

// TestPOP3Lock: one POP3 session per maildrop (RFC 1939 section 8); a
// second gets [IN-USE] (RFC 2449 section 8.1.1) until the first ends,
// and another user's maildrop is not affected.
func TestPOP3Lock(t *testing.T) {
	stores(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		d, err := s.POP3().Login(ctx, nil, "alice", "secret")
		require.NoError(t, err)
		_, err = s.POP3().Login(ctx, nil, "alice@example.test", "secret")
		require.Equal(t, pop3.CodeInUse, pop3Code(t, err))
		other, err := s.POP3().Login(ctx, nil, "bob", "hunter2")
		require.NoError(t, err)
		require.NoError(t, other.Close(ctx))
		require.NoError(t, d.Close(ctx))
		d, err = s.POP3().Login(ctx, nil, "alice", "secret")
		require.NoError(t, err)
		require.NoError(t, d.Close(ctx))
	})
}

// TestPOP3Delete: messages deleted in the UPDATE state are expunged and
// an IMAP session with the INBOX selected is told (RFC 3501 section
// 7.4.1); a message that IMAP flagged \Deleted but POP3 did not delete
// stays, and the UIDLs of the rest do not change.
func TestPOP3Delete(t *testing.T) {
	stores(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		deliver(t, s, "alice", 3)
		mb, view := openInbox(t, s)
		_, err := mb.Store(ctx, []uint32{view.UIDs[2]}, imap.StoreFlagsAdd, []imap.Flag{imap.FlagDeleted})
		require.NoError(t, err)
		_, err = mb.Poll(ctx)
		require.NoError(t, err)

		d, err := s.POP3().Login(ctx, nil, "alice", "secret")
		require.NoError(t, err)
		before, err := d.Messages(ctx)
		require.NoError(t, err)
		require.NoError(t, d.Delete(ctx, []int{1, 2}))
		require.NoError(t, d.Close(ctx))

		ups, err := mb.Poll(ctx)
		require.NoError(t, err)
		var expunged []uint32
		for _, u := range ups {
			if u.Type == imap.UpdateExpunge {
				expunged = append(expunged, u.UID)
			}
		}
		require.ElementsMatch(t, view.UIDs[:2], expunged)

		d, err = s.POP3().Login(ctx, nil, "alice", "secret")
		require.NoError(t, err)
		defer d.Close(ctx)
		after, err := d.Messages(ctx)
		require.NoError(t, err)
		require.Equal(t, before[2:], after)
	})
}
