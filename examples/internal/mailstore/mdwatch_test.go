package mailstore

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
)

// TestMaildirWatch: a session that only waits, as IDLE does (RFC 2177),
// is woken for a file another program drops into new, and told of it
// as a new message; the watch ends with the last session and with the
// store, leaving no goroutine.
func TestMaildirWatch(t *testing.T) {
	ctx := context.Background()
	before := runtime.NumGoroutine()
	root := t.TempDir()
	s := openMaildir(t, root)
	mb, view := openInbox(t, s)
	require.Empty(t, view.UIDs)
	_, err := mb.Poll(ctx)
	require.NoError(t, err)

	dir := inboxDir(root)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tmp", "1700000000.V801I42M1.mailhost"), []byte("Subject: a\n\nhi\n"), 0o600))
	require.NoError(t, os.Rename(filepath.Join(dir, "tmp", "1700000000.V801I42M1.mailhost"), filepath.Join(dir, "new", "1700000000.V801I42M1.mailhost")))
	select {
	case <-mb.Changed():
	case <-time.After(30 * time.Second): // a guard against a hang
		t.Fatal("the waiting session was not woken")
	}
	ups, err := mb.Poll(ctx)
	require.NoError(t, err)
	require.Len(t, ups, 1)
	require.Equal(t, imap.UpdateNew, ups[0].Type)
	require.Equal(t, uint32(1), ups[0].UID)

	require.NoError(t, mb.Close(ctx))
	mb2, _ := openInbox(t, s)
	require.NoError(t, s.Close())
	require.NoError(t, mb2.Close(ctx))
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before)
}
