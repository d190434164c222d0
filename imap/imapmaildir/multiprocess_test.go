package imapmaildir_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
)

// Two imap.Servers, each with Stores of its own on one directory, are two
// server processes on one Maildir (issue 13): what one does, the other's
// sessions see, and UIDs never collide.

// watcher is a client session that records the unilateral responses it
// gets, as channels a test waits on.
type watcher struct {
	c        *imap.Client
	exists   chan uint32
	expunges chan uint32
	fetches  chan *imap.FetchMessageBuffer
}

// watch logs in to addr, selects INBOX and returns the session.
func watch(t *testing.T, ctx context.Context, addr string) *watcher {
	t.Helper()
	w := &watcher{exists: make(chan uint32, 64), expunges: make(chan uint32, 64), fetches: make(chan *imap.FetchMessageBuffer, 64)}
	w.c = login(t, ctx, addr, &imap.Options{Unilateral: imap.UnilateralHandler{
		Exists:  func(n uint32) { w.exists <- n },
		Expunge: func(seq uint32) { w.expunges <- seq },
		Fetch:   func(m *imap.FetchMessageBuffer) { w.fetches <- m },
	}})
	_, err := w.c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	return w
}

// idle runs IDLE until the returned function is called, which waits for
// the command to end.
func (w *watcher) idle(t *testing.T, ctx context.Context) (stop func()) {
	idleCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.c.Idle(idleCtx) }()
	return func() {
		cancel()
		require.NoError(t, <-done)
	}
}

// await waits for a value on ch, within a few seconds: the Store polls
// the disk every maildir.DefaultPollInterval, so another process's
// change arrives well within a second.
func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		t.Fatalf("no %s arrived", what)
		panic("unreachable")
	}
}

// TestTwoProcesses_IdleSeesAppend_RFC2177: an APPEND through one server
// reaches a session IDLE in the other as EXISTS.
func TestTwoProcesses_IdleSeesAppend_RFC2177(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t)
	a, b := serve(t, dir), serve(t, dir)
	w := watch(t, ctx, b)
	stop := w.idle(t, ctx)
	c := login(t, ctx, a, nil)
	data, err := appendMessage(t, ctx, c, imap.Inbox, "hello")
	require.NoError(t, err)
	assert.Equal(t, uint32(1), await(t, w.exists, "EXISTS"))
	stop()
	msgs := fetchAll(t, ctx, w.c, &imap.FetchOptions{UID: true})
	assert.Equal(t, []uint32{data.UID}, uidsOf(msgs))
}

// TestTwoProcesses_StoreAgrees_RFC3501_6_4_6: flags and keywords STOREd
// through one server are what FETCH FLAGS answers through the other, and
// a session IDLE there is told (RFC 3501 section 7.4.2).
func TestTwoProcesses_StoreAgrees_RFC3501_6_4_6(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t)
	a, b := serve(t, dir), serve(t, dir)
	c := login(t, ctx, a, nil)
	for i := range 2 {
		_, err := appendMessage(t, ctx, c, imap.Inbox, fmt.Sprint("m", i))
		require.NoError(t, err)
	}
	w := watch(t, ctx, b)
	_, err := c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	stop := w.idle(t, ctx)
	set := []imap.Flag{imap.FlagFlagged, "$Label1"}
	_, err = c.UIDStore(ctx, imap.SeqSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: set}, nil).Collect()
	require.NoError(t, err)
	told := await(t, w.fetches, "FETCH FLAGS")
	stop()
	assert.Equal(t, uint32(2), told.Seq)
	assert.ElementsMatch(t, set, noRecent(told.Flags))

	msgs := fetchAll(t, ctx, w.c, &imap.FetchOptions{UID: true, Flags: true})
	require.Len(t, msgs, 2)
	assert.Empty(t, noRecent(msgs[0].Flags))
	assert.ElementsMatch(t, set, noRecent(msgs[1].Flags))
}

// TestTwoProcesses_Expunge_RFC3501_7_4_1: an EXPUNGE through one server
// reaches a session IDLE in the other as EXPUNGE of the right sequence
// number, and the message is gone there.
func TestTwoProcesses_Expunge_RFC3501_7_4_1(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t)
	a, b := serve(t, dir), serve(t, dir)
	c := login(t, ctx, a, nil)
	for i := range 3 {
		_, err := appendMessage(t, ctx, c, imap.Inbox, fmt.Sprint("m", i))
		require.NoError(t, err)
	}
	w := watch(t, ctx, b)
	stop := w.idle(t, ctx)
	_, err := c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	_, err = c.UIDStore(ctx, imap.SeqSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Collect()
	require.NoError(t, err)
	gone, err := c.Expunge(ctx)
	require.NoError(t, err)
	assert.Equal(t, []uint32{2}, gone, "sequence numbers")
	assert.Equal(t, uint32(2), await(t, w.expunges, "EXPUNGE"))
	stop()
	assert.Equal(t, []uint32{1, 3}, uidsOf(fetchAll(t, ctx, w.c, &imap.FetchOptions{UID: true})))
}

// TestTwoProcesses_UniqueUIDs_RFC3501_2_3_1_1: four sessions per server
// APPENDing at once, two servers: every APPENDUID is different, under one
// UIDVALIDITY, and SELECT lists exactly those UIDs (the old store gave
// UID 3 to two messages).
func TestTwoProcesses_UniqueUIDs_RFC3501_2_3_1_1(t *testing.T) {
	const perSession = 10
	dir := t.TempDir()
	ctx := testContext(t)
	addrs := []string{serve(t, dir), serve(t, dir)}
	var mu sync.Mutex
	given := map[uint32]string{}
	validities := map[uint32]bool{}
	var wg sync.WaitGroup
	for s := range 8 {
		c := login(t, ctx, addrs[s%2], nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perSession {
				name := fmt.Sprintf("s%d-%d", s, i)
				data, err := appendMessage(t, ctx, c, imap.Inbox, name)
				if !assert.NoError(t, err, name) {
					return
				}
				mu.Lock()
				if prev, dup := given[data.UID]; dup {
					t.Errorf("UID %d given to %s and %s", data.UID, prev, name)
				}
				given[data.UID] = name
				validities[data.UIDValidity] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.Len(t, given, 8*perSession)
	assert.Len(t, validities, 1)
	for _, addr := range addrs {
		c := login(t, ctx, addr, nil)
		sel, err := c.Select(ctx, imap.Inbox, nil)
		require.NoError(t, err)
		assert.Equal(t, uint32(8*perSession), sel.NumMessages)
		for _, uid := range uidsOf(fetchAll(t, ctx, c, &imap.FetchOptions{UID: true})) {
			assert.Contains(t, given, uid)
		}
	}
}

// TestTwoProcesses_Move_RFC6851: a MOVE through one server reaches a
// session IDLE on the source in the other as EXPUNGE, and the message is
// in the destination there, under the UID COPYUID gave.
func TestTwoProcesses_Move_RFC6851(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t)
	a, b := serve(t, dir), serve(t, dir)
	c := login(t, ctx, a, nil)
	require.NoError(t, c.Create(ctx, "Archive"))
	for i := range 2 {
		_, err := appendMessage(t, ctx, c, imap.Inbox, fmt.Sprint("m", i))
		require.NoError(t, err)
	}
	w := watch(t, ctx, b)
	stop := w.idle(t, ctx)
	_, err := c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	moved, err := c.UIDMove(ctx, imap.SeqSetNum(1), "Archive")
	require.NoError(t, err)
	assert.Equal(t, uint32(1), await(t, w.expunges, "EXPUNGE"))
	stop()
	assert.Equal(t, []uint32{2}, uidsOf(fetchAll(t, ctx, w.c, &imap.FetchOptions{UID: true})))
	_, err = w.c.Select(ctx, "Archive", nil)
	require.NoError(t, err)
	got := uidsOf(fetchAll(t, ctx, w.c, &imap.FetchOptions{UID: true}))
	require.Len(t, got, 1)
	if dest, ok := moved.DestinationUIDs.Nums(); ok {
		assert.Equal(t, dest, got)
	}
}

// TestTwoProcesses_DeleteSelected_RFC3501_6_3_4: a folder deleted
// through one server while a session of the other has it selected: that
// session is told every message is gone (EXPUNGE), and SELECT of it
// then answers NO [NONEXISTENT].
func TestTwoProcesses_DeleteSelected_RFC3501_6_3_4(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t)
	a, b := serve(t, dir), serve(t, dir)
	c := login(t, ctx, a, nil)
	require.NoError(t, c.Create(ctx, "Work"))
	_, err := appendMessage(t, ctx, c, "Work", "doomed")
	require.NoError(t, err)
	w := &watcher{exists: make(chan uint32, 64), expunges: make(chan uint32, 64), fetches: make(chan *imap.FetchMessageBuffer, 64)}
	w.c = login(t, ctx, b, &imap.Options{Unilateral: imap.UnilateralHandler{
		Expunge: func(seq uint32) { w.expunges <- seq },
	}})
	_, err = w.c.Select(ctx, "Work", nil)
	require.NoError(t, err)
	stop := w.idle(t, ctx)
	require.NoError(t, c.Delete(ctx, "Work"))
	assert.Equal(t, uint32(1), await(t, w.expunges, "EXPUNGE"))
	stop()
	_, err = c.Select(ctx, "Work", nil)
	assert.Equal(t, imap.CodeNonExistent, statusCode(t, err))
}
