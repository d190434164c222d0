// Package netserver is the listener and session bookkeeping that the SMTP,
// POP3 and IMAP servers share, so that each has the net/http shape: Serve
// on any listener, a graceful Shutdown and an abrupt Close.
package netserver

import (
	"container/list"
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
// package's connection pointer. It knows of each session its client
// (AddrKey), whether it was served or refused, and whether it logged in,
// so that it can bound the sessions of one client and, when full, make
// room by evicting the oldest session that has not logged in. The zero
// value is ready to use; a Group must not be copied after first use.
type Group[S comparable] struct {
	mu        sync.Mutex
	listeners map[*net.Listener]struct{}
	sessions  map[S]*slot[S]
	perAddr   map[AddrKey]int // served sessions by client
	prelogin  list.List       // of *slot[S]: served, not logged in, not evicted; oldest first
	served    int             // sessions handed to Serve and not released
	evicting  int             // of those, the ones told to make room
	// inShutdown is set under mu; read without it.
	inShutdown atomic.Bool
}

// Config tells Serve how to make and run sessions.
type Config[S comparable] struct {
	// Name prefixes log messages ("smtp").
	Name   string
	Logger *slog.Logger
	// MaxSessions bounds the sessions served at once; one more is handed
	// to Refuse instead of Serve, unless Evict makes room for it.
	MaxSessions int
	// MaxPerAddr bounds the sessions served at once for one client
	// (AddrKey); one more is handed to Refuse. Zero or less: no bound.
	MaxPerAddr int
	// New wraps an accepted connection.
	New func(net.Conn) S
	// Serve runs a session in its own goroutine; Refuse answers a session
	// over a limit. Either must call Release exactly once, before it
	// closes the connection, so that a client reconnecting at once is not
	// counted twice.
	Serve, Refuse func(S)
	// Evict, if set, is how a full server makes room for a new session
	// rather than refusing it: it is called for the served sessions that
	// have not logged in (see Authenticated), oldest first, until one
	// returns true. It must return false for a session it cannot end at
	// once, and otherwise make the session say the protocol's goodbye and
	// end. It is called with the Group's lock held.
	Evict func(S) bool
	// ErrClosed is what Serve returns after Shutdown or Close.
	ErrClosed error
	// Base, if set, gives Name, Logger, MaxSessions (MaxConnections) and
	// MaxPerAddr (MaxConnectionsPerAddr) from its settings.
	Base *Base
	// Invalid, if set, is a configuration error (such as a missing
	// Backend): Serve closes the listener and returns it.
	Invalid error
}

// fromBase fills the fields that Base gives.
func (cfg *Config[S]) fromBase() {
	if b := cfg.Base; b != nil {
		s := b.Settings()
		cfg.Name, cfg.Logger = s.Name, s.Logger
		cfg.MaxSessions, cfg.MaxPerAddr = s.MaxConnections, s.MaxConnectionsPerAddr
	}
}

// ShuttingDown reports whether Shutdown or Close was called.
func (g *Group[S]) ShuttingDown() bool { return g.inShutdown.Load() }

// Serve accepts connections on l until Shutdown or Close, and closes l on
// return. Temporary accept errors (a timeout, too many open files) are
// ridden out with a growing pause, as net/http does.
func (g *Group[S]) Serve(l net.Listener, cfg Config[S]) error {
	if cfg.Invalid != nil {
		l.Close()
		return cfg.Invalid
	}
	cfg.fromBase()
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
		switch g.admit(s, KeyOf(nc.RemoteAddr()), &cfg) {
		case admitClosed:
			nc.Close()
			return cfg.ErrClosed
		case admitRefuse:
			go cfg.Refuse(s)
		default:
			go cfg.Serve(s)
		}
	}
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
