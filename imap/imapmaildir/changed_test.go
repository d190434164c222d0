package imapmaildir_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
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
