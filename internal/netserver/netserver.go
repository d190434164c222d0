// Package netserver is the listener and session bookkeeping that the SMTP,
// POP3 and IMAP servers share, so that each has the net/http shape: Serve
// on any listener, a graceful Shutdown and an abrupt Close.
package netserver

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Group tracks a server's listeners and live sessions; S is the protocol
// package's connection pointer. The zero value is ready to use; a Group
// must not be copied after first use.
type Group[S comparable] struct {
	mu         sync.Mutex
	listeners  map[*net.Listener]struct{}
	sessions   map[S]struct{}
	inShutdown atomic.Bool
	active     atomic.Int64
}

// Config tells Serve how to make and run sessions.
type Config[S comparable] struct {
	// Name prefixes log messages ("smtp").
	Name   string
	Logger *slog.Logger
	// MaxSessions bounds the sessions served at once; one more is handed
	// to Refuse instead of Serve.
	MaxSessions int
	// New wraps an accepted connection.
	New func(net.Conn) S
	// Serve runs a session in its own goroutine; Refuse answers a session
	// over the limit. Either must call Release exactly once, before it
	// closes the connection, so that a client reconnecting at once is not
	// counted twice.
	Serve, Refuse func(S)
	// ErrClosed is what Serve returns after Shutdown or Close.
	ErrClosed error
}

// ShuttingDown reports whether Shutdown or Close was called.
func (g *Group[S]) ShuttingDown() bool { return g.inShutdown.Load() }

// Serve accepts connections on l until Shutdown or Close, and closes l on
// return. Temporary accept errors (a timeout, too many open files) are
// ridden out with a growing pause, as net/http does.
func (g *Group[S]) Serve(l net.Listener, cfg Config[S]) error {
	if !g.trackListener(&l, true) {
		l.Close()
		return cfg.ErrClosed
	}
	defer g.trackListener(&l, false)
	defer l.Close()

	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if g.inShutdown.Load() {
				return cfg.ErrClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				if cfg.Logger != nil {
					cfg.Logger.Warn(cfg.Name+": accept error; retrying", "err", err, "delay", backoff)
				}
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		s := cfg.New(nc)
		if !g.track(s) {
			nc.Close()
			return cfg.ErrClosed
		}
		if g.active.Add(1) > int64(cfg.MaxSessions) {
			go cfg.Refuse(s)
			continue
		}
		go cfg.Serve(s)
	}
}

// Release frees the session's slot and forgets it.
func (g *Group[S]) Release(s S) {
	g.active.Add(-1)
	g.mu.Lock()
	delete(g.sessions, s)
	g.mu.Unlock()
}

func (g *Group[S]) track(s S) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inShutdown.Load() {
		return false
	}
	if g.sessions == nil {
		g.sessions = make(map[S]struct{})
	}
	g.sessions[s] = struct{}{}
	return true
}

func (g *Group[S]) trackListener(l *net.Listener, add bool) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !add {
		delete(g.listeners, l)
		return true
	}
	if g.inShutdown.Load() {
		return false
	}
	if g.listeners == nil {
		g.listeners = make(map[*net.Listener]struct{})
	}
	g.listeners[l] = struct{}{}
	return true
}

// closeListeners marks the group shut down and closes every listener.
func (g *Group[S]) closeListeners() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inShutdown.Store(true)
	var err error
	for l := range g.listeners {
		if cerr := (*l).Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	return err
}

// Shutdown closes the listeners, then calls interrupt for each session
// until none is left or ctx ends. interrupt wakes a session that waits for
// a command, so that it notices the shutdown, says goodbye and ends; a
// session busy with a command is left to finish it.
func (g *Group[S]) Shutdown(ctx context.Context, interrupt func(S)) error {
	err := g.closeListeners()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		g.mu.Lock()
		n := len(g.sessions)
		for s := range g.sessions {
			interrupt(s)
		}
		g.mu.Unlock()
		if n == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Close closes the listeners and calls closeNow, which closes the
// connection without a reply, for every session.
func (g *Group[S]) Close(closeNow func(S)) error {
	err := g.closeListeners()
	g.mu.Lock()
	defer g.mu.Unlock()
	for s := range g.sessions {
		closeNow(s)
	}
	return err
}
