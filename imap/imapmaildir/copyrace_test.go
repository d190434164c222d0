package imapmaildir_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
)

// TestCopyWhileRenamed_RFC2180_4_1: a COPY of a message whose file
// another process renames at the same moment (a flag change: Maildir
// keeps flags in the file name) copies it, or answers NO with a code
// (RFC 5530), never an internal error, which the client sees as NO
// [SERVERBUG]. Two Stores on one directory are the two processes; one
// session toggles \Flagged while the other copies, many times over.
func TestCopyWhileRenamed_RFC2180_4_1(t *testing.T) {
	const rounds = 300
	dir := t.TempDir()
	ctx := testContext(t)
	c := login(t, ctx, serve(t, dir), nil)
	_, err := appendMessage(t, ctx, c, imap.Inbox, "raced")
	require.NoError(t, err)
	require.NoError(t, c.Create(ctx, "Copies"))

	open := func() imap.Mailbox {
		u, err := newBackend(newStores(dir)).OpenUser(ctx, testUser)
		require.NoError(t, err)
		mb, view, err := u.Open(ctx, imap.Inbox, false)
		require.NoError(t, err)
		require.Equal(t, []uint32{1}, view.UIDs)
		t.Cleanup(func() { mb.Close(ctx) })
		return mb
	}
	flagger, copier := open(), open()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range rounds {
			op := imap.StoreFlagsAdd
			if i%2 == 1 {
				op = imap.StoreFlagsDel
			}
			_, err := flagger.Store(ctx, []uint32{1}, op, []imap.Flag{imap.FlagFlagged})
			if !assert.NoError(t, err, "STORE %d", i) {
				return
			}
		}
	}()
	var internal []error
	for range rounds {
		if _, _, err := copier.Copy(ctx, []uint32{1}, "Copies"); err != nil {
			var st *imap.StatusResponse
			if !errors.As(err, &st) {
				internal = append(internal, err)
			}
		}
	}
	wg.Wait()
	if len(internal) > 0 {
		t.Errorf("%d of %d COPYs failed with an internal error (NO [SERVERBUG]), the first: %v", len(internal), rounds, internal[0])
	}
}
