package testserver

import (
	"context"
	"maps"
	"slices"
	"sync"
)

// Log records deliveries (smtptest's messages, the UIDs that pop3test and
// imaptest's Deliver returned) and wakes those that wait for them: no
// polling. Its zero value is empty.
type Log[T any] struct {
	mu      sync.Mutex
	items   []T
	arrived chan struct{} // closed and replaced by each Add
}

// Add records x and wakes Wait.
func (l *Log[T]) Add(x T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, x)
	if l.arrived != nil {
		close(l.arrived)
		l.arrived = nil
	}
}

// All returns what was recorded since the start or the last Reset, oldest
// first.
func (l *Log[T]) All() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.items)
}

// Wait waits until at least n were recorded since the start or the last
// Reset and returns them all. When ctx ends first it returns those so far
// and ctx's error.
func (l *Log[T]) Wait(ctx context.Context, n int) ([]T, error) {
	for {
		l.mu.Lock()
		if len(l.items) >= n {
			items := slices.Clone(l.items)
			l.mu.Unlock()
			return items, nil
		}
		if l.arrived == nil {
			l.arrived = make(chan struct{})
		}
		arrived := l.arrived
		l.mu.Unlock()
		select {
		case <-arrived:
		case <-ctx.Done():
			return l.All(), ctx.Err()
		}
	}
}

// Reset forgets what was recorded; Wait counts from zero again.
func (l *Log[T]) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = nil
}

// Users keeps every user's password, so that a Reset can log in as each
// to empty its mail. Its zero value is empty.
type Users struct {
	mu sync.Mutex
	m  map[string]string
}

// Set adds a user or changes its password.
func (u *Users) Set(name, password string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.m == nil {
		u.m = make(map[string]string)
	}
	u.m[name] = password
}

// Each calls fn for every user, with a context of its own: a Reset is not
// tied to a session.
func (u *Users) Each(fn func(ctx context.Context, name, password string)) {
	u.mu.Lock()
	all := maps.Clone(u.m)
	u.mu.Unlock()
	ctx := context.Background()
	for name, password := range all {
		fn(ctx, name, password)
	}
}
