package netserver

import "container/list"

// slot is what a Group knows of one session.
type slot[S comparable] struct {
	s       S
	key     AddrKey
	served  bool          // handed to Serve, counted in served and perAddr
	evicted bool          // told to make room, counted in evicting
	elem    *list.Element // in prelogin, or nil
}

type admission int

const (
	admitServe admission = iota
	admitRefuse
	admitClosed // the group is shut down
)

// admit tracks a new session of client key and decides its fate: served,
// refused (over MaxPerAddr, or over MaxSessions with no room to make),
// or closed during shutdown. Sessions told to make room still hold a
// socket while they say goodbye, but no longer count towards
// MaxSessions; at most MaxSessions of them exist, each for the few
// seconds its lingering close lasts.
func (g *Group[S]) admit(s S, key AddrKey, cfg *Config[S]) admission {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inShutdown.Load() {
		return admitClosed
	}
	if g.sessions == nil {
		g.sessions = make(map[S]*slot[S])
		g.perAddr = make(map[AddrKey]int)
	}
	sl := &slot[S]{s: s, key: key}
	g.sessions[s] = sl
	if cfg.MaxPerAddr > 0 && g.perAddr[key] >= cfg.MaxPerAddr {
		return admitRefuse
	}
	if g.served-g.evicting >= cfg.MaxSessions && !g.evictOne(cfg.Evict) {
		return admitRefuse
	}
	sl.served = true
	g.served++
	g.perAddr[key]++
	sl.elem = g.prelogin.PushBack(sl)
	return admitServe
}

// evictOne asks the oldest session that has not logged in and can end at
// once to make room.
func (g *Group[S]) evictOne(evict func(S) bool) bool {
	if evict == nil {
		return false
	}
	for el := g.prelogin.Front(); el != nil; el = el.Next() {
		sl := el.Value.(*slot[S])
		if evict(sl.s) {
			g.prelogin.Remove(el)
			sl.elem = nil
			sl.evicted = true
			g.evicting++
			return true
		}
	}
	return false
}

// Authenticated records that session s logged in: it is never evicted to
// make room. The protocol calls it once the login succeeded, before it
// answers.
func (g *Group[S]) Authenticated(s S) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if sl := g.sessions[s]; sl != nil && sl.elem != nil {
		g.prelogin.Remove(sl.elem)
		sl.elem = nil
	}
}

// Release frees the session's slot and forgets it.
func (g *Group[S]) Release(s S) {
	g.mu.Lock()
	defer g.mu.Unlock()
	sl := g.sessions[s]
	if sl == nil {
		return
	}
	delete(g.sessions, s)
	if !sl.served {
		return
	}
	g.served--
	if n := g.perAddr[sl.key] - 1; n > 0 {
		g.perAddr[sl.key] = n
	} else {
		delete(g.perAddr, sl.key)
	}
	if sl.evicted {
		g.evicting--
	}
	if sl.elem != nil {
		g.prelogin.Remove(sl.elem)
	}
}
