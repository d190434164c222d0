package maildir

import (
	"context"
	"sync"
	"time"
)

// changeSet collects the changes of one call, in order, before they
// are delivered to the Watchers.
type changeSet struct {
	uids  []uint32
	kinds []ChangeKind
}

func newChangeSet() *changeSet { return &changeSet{} }

func (c *changeSet) add(uid uint32, kind ChangeKind) {
	c.uids = append(c.uids, uid)
	c.kinds = append(c.kinds, kind)
}

// deliver tells every Watcher but origin of the changes in ch, with the
// messages' state now; an Added is told to origin too, since an append
// is no Watcher's own. The caller holds m.mu.
func (m *Mailbox) deliver(origin *Watcher, ch *changeSet) {
	if len(ch.uids) == 0 || len(m.watchers) == 0 {
		*ch = changeSet{}
		return
	}
	changes := make([]Change, 0, len(ch.uids))
	told := map[uint32]ChangeKind{}
	for i, uid := range ch.uids {
		c := Change{Kind: ch.kinds[i], Info: Info{UID: uid}}
		if c.Kind == Changed && (told[uid] == Added || told[uid] == Changed) {
			continue // the state told already is the one now
		}
		told[uid] = c.Kind
		if c.Kind != Removed {
			j, ok := m.find(uid)
			if !ok {
				continue // removed later in the same call: its Removed follows
			}
			c.Info = m.info(&m.msgs[j])
		}
		changes = append(changes, c)
	}
	*ch = changeSet{}
	for w := range m.watchers {
		if w == origin {
			w.push(onlyAdded(changes))
			continue
		}
		w.push(changes)
	}
}

func onlyAdded(changes []Change) []Change {
	var out []Change
	for _, c := range changes {
		if c.Kind == Added {
			out = append(out, c)
		}
	}
	return out
}

// Watch starts watching the folder: the returned Watcher collects every
// change from now on (made in this process through another Watcher or
// none, or found on disk), so that an IMAP session selected on it
// reports them (RFC 3501 section 7, RFC 2177 IDLE). The caller closes it.
//
// While a Mailbox has Watchers one goroutine polls the disk every
// PollInterval for changes made by other processes.
func (m *Mailbox) Watch() *Watcher {
	w := &Watcher{m: m, notify: make(chan struct{}, 1)}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.store.mu.Lock()
	closed := m.store.closed
	m.store.mu.Unlock()
	if closed || m.vanished {
		w.closed = true
		close(w.notify)
		return w
	}
	m.watchers[w] = struct{}{}
	if m.stopPoll == nil {
		m.startPoller()
	}
	return w
}

// startPoller starts the goroutine that refreshes a watched Mailbox.
// The caller holds m.mu.
func (m *Mailbox) startPoller() {
	stop := make(chan struct{})
	m.stopPoll = stop
	s := m.store
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(s.opts.PollInterval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-s.done:
				return
			case <-t.C:
				m.poll()
			}
		}
	}()
}

// poll refreshes the Mailbox, so that its Watchers hear of what other
// processes did.
func (m *Mailbox) poll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.vanished || len(m.watchers) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), UIDListLockStale)
	defer cancel()
	if err := m.refresh(ctx); err == ErrNoMailbox {
		m.vanishLocked()
	} else if err != nil {
		m.store.log.Warn("maildir: polling a folder", "dir", m.dir, "err", err)
	}
}

// stopPollerLocked stops the poller when no Watcher is left. The
// caller holds m.mu.
func (m *Mailbox) stopPollerLocked() {
	if len(m.watchers) == 0 && m.stopPoll != nil {
		close(m.stopPoll)
		m.stopPoll = nil
	}
}

// closeWatchers closes every Watcher (Store.Close).
func (m *Mailbox) closeWatchers() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for w := range m.watchers {
		w.shut()
	}
	m.watchers = map[*Watcher]struct{}{}
	m.stopPollerLocked()
}

// vanish marks a Mailbox deleted or renamed away: its Watchers see
// every message removed, and later calls answer ErrNoMailbox.
func (m *Mailbox) vanish() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.vanishLocked()
}

// isVanished reports a Mailbox deleted or renamed away, without m.mu
// (Store.Mailbox asks it holding the Store's lock).
func (m *Mailbox) isVanished() bool { return m.gone.Load() }

func (m *Mailbox) vanishLocked() {
	if m.vanished {
		return
	}
	ch := newChangeSet()
	for _, e := range m.msgs {
		ch.add(e.uid, Removed)
	}
	m.deliver(nil, ch)
	m.vanished = true
	m.gone.Store(true)
	m.msgs = nil
	for w := range m.watchers {
		w.shut()
	}
	m.watchers = map[*Watcher]struct{}{}
	m.stopPollerLocked()
}

// A Watcher is one observer of a Mailbox.
type Watcher struct {
	m      *Mailbox
	notify chan struct{}

	mu      sync.Mutex
	changes []Change
	closed  bool
}

// push queues changes and wakes the Watcher's reader without blocking.
func (w *Watcher) push(changes []Change) {
	if len(changes) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.changes = append(w.changes, changes...)
	select {
	case w.notify <- struct{}{}:
	default:
	}
}

// shut closes the notify channel once; the changes queued stay readable.
func (w *Watcher) shut() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.closed = true
		close(w.notify)
	}
}

// Changes returns the changes since the last call, oldest first.
func (w *Watcher) Changes() []Change {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.changes
	w.changes = nil
	return c
}

// Notify returns a channel that receives a value when Changes has
// something new. It is closed when the Watcher, its Mailbox (deleted or
// renamed) or the Store closes.
func (w *Watcher) Notify() <-chan struct{} { return w.notify }

// Close stops the watch; the poller stops with the last Watcher.
func (w *Watcher) Close() error {
	m := w.m
	m.mu.Lock()
	delete(m.watchers, w)
	m.stopPollerLocked()
	m.mu.Unlock()
	w.shut()
	return nil
}

// ChangeKind is the kind of a Change.
type ChangeKind int

// The ChangeKinds.
const (
	Added   ChangeKind = iota + 1 // a message was added
	Removed                       // a message was removed
	Changed                       // a message's flags changed
)

// A Change is one change of a watched folder.
type Change struct {
	Kind ChangeKind
	Info // UID always; for Added and Changed the message's new state
}
