package testserver

import "sync"

// Reply is the type of a protocol's reply that a BeforeCommand hook can
// return: *smtp.Reply, *pop3.Response, *imap.StatusResponse. Its zero
// value, nil, stands for "drop the connection".
type Reply interface {
	comparable
	error
}

// Commands is the fault table of FailCommand and DropOn, keyed by verb:
// the reply that answers a command instead of the server, or nil to close
// the connection without a reply, once. Its zero value is empty.
type Commands[V comparable, R Reply] struct {
	mu sync.Mutex
	m  map[V]R
}

// Fail answers every later command v with r, until Reset or Fail(v, nil).
func (t *Commands[V, R]) Fail(v V, r R) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var drop R
	if r == drop {
		delete(t.m, v)
		return
	}
	t.set(v, r)
}

// Drop closes the connection without a reply at the next command v, once.
func (t *Commands[V, R]) Drop(v V) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var drop R
	t.set(v, drop)
}

func (t *Commands[V, R]) set(v V, r R) {
	if t.m == nil {
		t.m = make(map[V]R)
	}
	t.m[v] = r
}

// Reset forgets every fault.
func (t *Commands[V, R]) Reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.m = nil
}

// take returns the fault for v, if any; a drop is taken out of the table.
func (t *Commands[V, R]) take(v V) (r R, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok = t.m[v]
	var drop R
	if ok && r == drop {
		delete(t.m, v)
	}
	return r, ok
}

// Hook returns the BeforeCommand hook of a test server: it applies t to
// the verb of each command, returning the reply to send or dropErr (the
// protocol's ErrDropConnection), and runs next, the hook a WithServer
// option set, for the commands t leaves alone.
func Hook[C, Cmd any, V comparable, R Reply](t *Commands[V, R], verb func(Cmd) V, dropErr error, next func(C, Cmd) error) func(C, Cmd) error {
	return func(c C, cmd Cmd) error {
		r, ok := t.take(verb(cmd))
		var drop R
		switch {
		case ok && r == drop:
			return dropErr
		case ok:
			return r
		case next != nil:
			return next(c, cmd)
		}
		return nil
	}
}
