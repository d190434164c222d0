package queue

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
)

// Queue is the set of queued entries, kept in memory and in a Store. It
// is safe for concurrent use. The relay takes entries with Entries,
// records each attempt with Update and takes finished entries out with
// Remove; Wait tells it when something changed.
type Queue struct {
	store Store
	now   func() time.Time

	mu      sync.Mutex
	entries map[string]*Entry
	locks   map[string]*sync.Mutex // one per entry, held while it is stored
	changed chan struct{}          // closed and replaced on every change
}

// Open loads the entries of store, which after a restart are the ones the
// last run left: the relay goes on with them where it stopped.
func Open(store Store) (*Queue, error) {
	list, err := store.List()
	if err != nil {
		return nil, err
	}
	q := &Queue{store: store, now: time.Now, entries: make(map[string]*Entry, len(list)), locks: make(map[string]*sync.Mutex), changed: make(chan struct{})}
	for _, e := range list {
		q.entries[e.ID] = e
	}
	return q, nil
}

// Enqueue stores e and its message durably and returns once both are on
// stable storage (RFC 5321 section 6.1). An empty e.ID gets a new one;
// a given one that is already queued gives ErrExists, which lets a
// caller that may repeat itself after a crash (a DSN for an entry) queue
// its message exactly once. A zero e.Arrived is set to now. It returns
// the entry's ID.
func (q *Queue) Enqueue(e *Entry, msg io.Reader) (string, error) {
	e = e.Clone()
	if e.ID == "" {
		e.ID = q.newID()
	}
	if e.Arrived.IsZero() {
		e.Arrived = q.now()
	}
	q.mu.Lock()
	_, exists := q.entries[e.ID]
	q.mu.Unlock()
	if exists {
		return e.ID, ErrExists
	}
	if err := q.store.Create(e, msg); err != nil {
		return e.ID, err
	}
	q.mu.Lock()
	q.entries[e.ID] = e
	q.signal()
	q.mu.Unlock()
	return e.ID, nil
}

// newID makes an ID that sorts by arrival and is unique without a
// counter shared between processes.
func (q *Queue) newID() string {
	var b [6]byte
	rand.Read(b[:])
	return q.now().UTC().Format("20060102T150405.000000") + "-" + strings.ToUpper(hex.EncodeToString(b[:]))
}

// signal wakes the waiters; q.mu is held.
func (q *Queue) signal() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// Changed returns a channel that is closed at the next change of the
// queue (an entry added, updated or removed).
func (q *Queue) Changed() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.changed
}

// Entries returns copies of the queued entries, oldest first.
func (q *Queue) Entries() []*Entry {
	return q.Select(func(*Entry) bool { return true })
}

// Select returns copies of the entries for which keep returns true,
// oldest first. keep sees each entry under the queue's lock and must
// neither change nor retain it; it lets a relay pick the few due entries
// of a large queue without copying them all.
func (q *Queue) Select(keep func(*Entry) bool) []*Entry {
	q.mu.Lock()
	var list []*Entry
	for _, e := range q.entries {
		if keep(e) {
			list = append(list, e.Clone())
		}
	}
	q.mu.Unlock()
	slices.SortFunc(list, func(a, b *Entry) int {
		if c := a.Arrived.Compare(b.Arrived); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return list
}

// Len returns the number of queued entries.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.entries)
}

// Get returns a copy of the entry id.
func (q *Queue) Get(id string) (*Entry, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	e, ok := q.entries[id]
	if !ok {
		return nil, false
	}
	return e.Clone(), true
}

// lock takes the lock of entry id, so that its changes reach the store
// in order while other entries are stored in parallel (each Store call
// is an fsync). It returns the unlock function.
func (q *Queue) lock(id string) func() {
	q.mu.Lock()
	l, ok := q.locks[id]
	if !ok {
		l = new(sync.Mutex)
		q.locks[id] = l
	}
	q.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// Update applies fn to a copy of entry id and stores the result durably;
// the queue changes only once it is stored. It returns the stored copy.
func (q *Queue) Update(id string, fn func(*Entry)) (*Entry, error) {
	defer q.lock(id)()
	q.mu.Lock()
	e, ok := q.entries[id]
	q.mu.Unlock()
	if !ok {
		return nil, ErrNotFound
	}
	c := e.Clone()
	fn(c)
	c.ID = id
	if err := q.store.Update(c); err != nil {
		return nil, err
	}
	q.mu.Lock()
	q.entries[id] = c
	q.signal()
	q.mu.Unlock()
	return c.Clone(), nil
}

// Remove takes entry id out of the queue and its store.
func (q *Queue) Remove(id string) error {
	defer q.lock(id)()
	q.mu.Lock()
	_, ok := q.entries[id]
	q.mu.Unlock()
	if !ok {
		return ErrNotFound
	}
	if err := q.store.Remove(id); err != nil {
		return err
	}
	q.mu.Lock()
	delete(q.entries, id)
	delete(q.locks, id)
	q.signal()
	q.mu.Unlock()
	return nil
}

// Open returns the message of entry id.
func (q *Queue) Open(id string) (io.ReadCloser, error) { return q.store.Open(id) }

// Flush makes every recipient that waits for a retry due now, as
// Postfix's "postqueue -f" does.
func (q *Queue) Flush() error {
	for _, e := range q.Entries() {
		if _, ok := e.Due(); !ok {
			continue
		}
		_, err := q.Update(e.ID, func(e *Entry) {
			for i := range e.Recipients {
				e.Recipients[i].NextAttempt = time.Time{}
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}
