package netserver

import (
	"container/list"
	"sync"
	"time"
)

// FailureDelay slows down password guessing (RFC 3501 section 11.2 and
// RFC 9051 section 11.7: "a server SHOULD have mechanisms in place to
// limit or delay failed AUTHENTICATE/LOGIN attempts") by client, not
// by connection: each failed login of a client (an AddrKey) is answered
// no sooner than Base after the client's previous failure was answered,
// and the spacing doubles with every failure, up to Max. A client that
// opens many connections at once therefore gets no more answers: its
// failures queue up behind one another, so one client gets at most one
// failure answered per Base, whatever its number of connections. A
// success resets the doubling but not the queue; a client quiet for
// Reset is forgotten. At most MaxAddrs clients are remembered; the one
// whose last failure is oldest makes room for a new one.
//
// A FailureDelay only computes when an answer may go out; the session
// waits for it with Deadlines.Pause, holding no lock, so that one slow
// client delays nobody else. Each client remembered takes about 240
// bytes. A nil FailureDelay, or one with Base <= 0, delays nothing. The
// fields must not change once in use.
type FailureDelay struct {
	Base, Max, Reset time.Duration
	MaxAddrs         int
	// Now returns the time; nil means time.Now. Tests set a clock.
	Now func() time.Time

	mu      sync.Mutex
	entries map[AddrKey]*list.Element
	order   list.List // of *failures, least recently failed first
}

// failures is what a FailureDelay knows about one client.
type failures struct {
	key  AddrKey
	n    int       // failures since the last success or quiet spell
	next time.Time // when the latest answer scheduled may go out
}

func (f *FailureDelay) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// delay returns the spacing of a client's nth failure: Base doubled n-1
// times, capped at Max.
func (f *FailureDelay) delay(n int) time.Duration {
	d := f.Base
	for i := 1; i < n && d < f.Max; i++ {
		d *= 2
	}
	return min(d, max(f.Max, f.Base))
}

// Fail records a failed login of client k and returns when its answer
// may be sent and the delay this failure was given. A zero time means at
// once (the delay is off).
func (f *FailureDelay) Fail(k AddrKey) (at time.Time, delay time.Duration) {
	if f == nil || f.Base <= 0 {
		return time.Time{}, 0
	}
	now := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	el := f.lookup(k, now)
	if el == nil {
		el = f.insert(k, now)
	}
	e := el.Value.(*failures)
	e.n++
	delay = f.delay(e.n)
	e.next = maxTime(now, e.next).Add(delay)
	f.order.MoveToBack(el)
	return e.next, delay
}

// Succeed records a successful login of client k: its next failure is
// spaced by Base again. Answers already scheduled stay where they are, so
// a client that owns one account cannot use it to jump its queue.
func (f *FailureDelay) Succeed(k AddrKey) {
	if f == nil || f.Base <= 0 {
		return
	}
	now := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	el := f.lookup(k, now)
	if el == nil {
		return
	}
	if e := el.Value.(*failures); e.next.After(now) {
		e.n = 0
		return
	}
	f.remove(el)
}

// Len returns how many clients are remembered.
func (f *FailureDelay) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.entries)
}

// lookup finds k, forgetting it when it has been quiet for Reset.
func (f *FailureDelay) lookup(k AddrKey, now time.Time) *list.Element {
	el := f.entries[k]
	if el != nil && f.expired(el, now) {
		f.remove(el)
		return nil
	}
	return el
}

func (f *FailureDelay) expired(el *list.Element, now time.Time) bool {
	return !now.Before(el.Value.(*failures).next.Add(f.Reset))
}

// insert adds k, first dropping the quiet clients at the old end of the
// order and then, if still full, the least recently failed one.
func (f *FailureDelay) insert(k AddrKey, now time.Time) *list.Element {
	if f.entries == nil {
		f.entries = make(map[AddrKey]*list.Element)
	}
	limit := f.MaxAddrs
	if limit <= 0 {
		limit = DefaultMaxAuthFailureAddrs
	}
	for front := f.order.Front(); front != nil && f.expired(front, now); front = f.order.Front() {
		f.remove(front)
	}
	for len(f.entries) >= limit {
		f.remove(f.order.Front())
	}
	el := f.order.PushBack(&failures{key: k})
	f.entries[k] = el
	return el
}

func (f *FailureDelay) remove(el *list.Element) {
	delete(f.entries, el.Value.(*failures).key)
	f.order.Remove(el)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
