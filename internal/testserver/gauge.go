package testserver

import (
	"context"
	"sync"
)

// Gauge counts what is open now (sessions, maildrops) and wakes those
// that wait for none to be. Its zero value is ready.
type Gauge struct {
	mu     sync.Mutex
	n      int
	none   chan struct{} // made when n leaves 0, closed when it returns
	closed bool
}

// Enter counts one more, or reports false once Close was called.
func (g *Gauge) Enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	if g.n == 0 {
		g.none = make(chan struct{})
	}
	g.n++
	return true
}

// Leave counts one less; the last wakes Wait.
func (g *Gauge) Leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n--
	if g.n == 0 {
		close(g.none)
	}
}

// Close makes later Enters refuse; those counted already still Leave.
func (g *Gauge) Close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
}

// Wait returns once none is open, or ctx's error when it ends first.
func (g *Gauge) Wait(ctx context.Context) error {
	g.mu.Lock()
	if g.n == 0 {
		g.mu.Unlock()
		return nil
	}
	none := g.none
	g.mu.Unlock()
	select {
	case <-none:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
