package imapmaildir_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// TestChangedAfterDelete_RFC2177: when the selected folder is deleted by
// another session, Changed wakes the session once, and then only when
// Poll has something new, as imap.Mailbox asks: a channel that stayed
// ready (the Store closes its Watcher's channel when the folder goes)
// would make the server's IDLE loop poll and flush without end until
// DONE.
func TestChangedAfterDelete_RFC2177(t *testing.T) {
	ctx := testContext(t)
	b := newBackend(newStores(t.TempDir()))
	u, err := b.OpenUser(ctx, testUser)
	require.NoError(t, err)
	require.NoError(t, u.CreateMailbox(ctx, "Work", ""))
	mb, _, err := u.Open(ctx, "Work", false)
	require.NoError(t, err)
	t.Cleanup(func() { mb.Close(ctx) })
	other, err := b.OpenUser(ctx, testUser)
	require.NoError(t, err)
	require.NoError(t, other.DeleteMailbox(ctx, "Work"))

	select {
	case <-mb.Changed():
	case <-time.After(10 * time.Second): // a guard against a hang
		t.Fatal("the session was not woken by the delete")
	}
	_, err = mb.Poll(ctx)
	require.NoError(t, err)
	for range 3 {
		select {
		case <-mb.Changed():
			ups, _ := mb.Poll(ctx)
			require.NotEmpty(t, ups, "Changed fired with nothing new for Poll")
		default:
		}
	}
}

// TestWatchEnds_RFC2177: a session that only waits, as IDLE does, is
// woken for a file another program drops into new/ and told of it as a
// new message; the watch, its poller and the forwarding of Changed end
// with the selection and the Store, leaving no goroutine.
func TestWatchEnds_RFC2177(t *testing.T) {
	ctx := testContext(t)
	before := runtime.NumGoroutine()
	dir := t.TempDir()
	ensureMaildir(t, dir)
	stores := &maildir.Stores{Path: func(string) string { return inboxRoot(dir) }}
	u, err := newBackend(stores).OpenUser(ctx, testUser)
	require.NoError(t, err)
	mb, view, err := u.Open(ctx, imap.Inbox, false)
	require.NoError(t, err)
	require.Empty(t, view.UIDs)

	tmp := filepath.Join(inboxRoot(dir), "tmp", "1700000000.V801I42M1.mailhost")
	require.NoError(t, os.WriteFile(tmp, []byte("Subject: a\n\nhi\n"), 0o600))
	require.NoError(t, os.Rename(tmp, filepath.Join(inboxRoot(dir), "new", filepath.Base(tmp))))
	select {
	case <-mb.Changed():
	case <-time.After(30 * time.Second): // a guard against a hang
		t.Fatal("the waiting session was not woken")
	}
	ups, err := mb.Poll(ctx)
	require.NoError(t, err)
	require.Len(t, ups, 1)
	assert.Equal(t, imap.UpdateNew, ups[0].Type)
	assert.Equal(t, uint32(1), ups[0].UID)

	require.NoError(t, mb.Close(ctx))
	mb2, _, err := u.Open(ctx, imap.Inbox, false)
	require.NoError(t, err)
	require.NoError(t, stores.Close())
	require.NoError(t, mb2.Close(ctx))
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before)
}
