package queue

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newQueue(t *testing.T) (*Queue, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := OpenSpool(dir)
	require.NoError(t, err)
	q, err := Open(s)
	require.NoError(t, err)
	return q, dir
}

func TestQueue_EnqueueUpdateReload(t *testing.T) {
	q, dir := newQueue(t)
	changed := q.Changed()
	id, err := q.Enqueue(&Entry{From: "a@a.test", Recipients: []Recipient{{Addr: "b@b.test"}, {Addr: "c@c.test"}}}, strings.NewReader("m"))
	require.NoError(t, err)
	<-changed // woken by the change, without polling

	_, err = q.Enqueue(&Entry{ID: id}, strings.NewReader("again"))
	assert.ErrorIs(t, err, ErrExists)

	e, err := q.Update(id, func(e *Entry) {
		e.Recipients[0].State = Delivered
		e.Recipients[1].State = Deferred
		e.Recipients[1].NextAttempt = time.Now().Add(time.Hour)
	})
	require.NoError(t, err)
	assert.False(t, e.Done())

	// Restart: a new Queue over the same spool has the same entries.
	s, err := OpenSpool(dir)
	require.NoError(t, err)
	q2, err := Open(s)
	require.NoError(t, err)
	got, ok := q2.Get(id)
	require.True(t, ok)
	assert.Equal(t, Delivered, got.Recipients[0].State)
	assert.Equal(t, Deferred, got.Recipients[1].State)

	require.NoError(t, q2.Flush())
	got, _ = q2.Get(id)
	due, ok := got.Due()
	assert.True(t, ok)
	assert.True(t, due.IsZero(), "flushed: due now")

	require.NoError(t, q2.Remove(id))
	assert.Empty(t, q2.Entries())
	assert.ErrorIs(t, q2.Remove(id), ErrNotFound)
}

func TestQueue_UpdateIsCopyOnWrite(t *testing.T) {
	q, _ := newQueue(t)
	id, err := q.Enqueue(&Entry{Recipients: []Recipient{{Addr: "b@b.test"}}}, strings.NewReader("m"))
	require.NoError(t, err)
	e, _ := q.Get(id)
	e.Recipients[0].State = Failed
	again, _ := q.Get(id)
	assert.Equal(t, Pending, again.Recipients[0].State)
}

func TestState_String(t *testing.T) {
	assert.Equal(t, "pending", Pending.String())
	assert.Equal(t, "deferred", Deferred.String())
	assert.Equal(t, "delivered", Delivered.String())
	assert.Equal(t, "failed", Failed.String())
	assert.Equal(t, "unknown", State(9).String())
}
