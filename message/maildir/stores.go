package maildir

import (
	"errors"
	"sync"
)

// Stores are the Stores of many users, each opened once in the process
// and shared by every caller, so that the IMAP and POP3 adapters given
// the same Stores tell each other's sessions of a change at once, and
// an MDA delivering through it wakes IDLE sessions without waiting for
// a poll.
type Stores struct {
	// Path returns the Maildir root of a user, such as
	// filepath.Join(dir, user, "Maildir") (Dovecot's mail_location =
	// maildir:~/Maildir). It must not be nil.
	Path func(user string) string
	// Options are given to OpenStore.
	Options *StoreOptions

	mu     sync.Mutex
	open   map[string]*Store
	closed bool
}

// Open returns the Store of user, opening it on first use.
func (t *Stores) Open(user string) (*Store, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, ErrClosed
	}
	if s := t.open[user]; s != nil {
		return s, nil
	}
	if t.Path == nil {
		return nil, errors.New("maildir: Stores.Path is nil")
	}
	s, err := OpenStore(t.Path(user), t.Options)
	if err != nil {
		return nil, err
	}
	if t.open == nil {
		t.open = map[string]*Store{}
	}
	t.open[user] = s
	return s, nil
}

// Close closes every Store opened; Open answers ErrClosed after it.
func (t *Stores) Close() error {
	t.mu.Lock()
	stores := t.open
	t.open, t.closed = nil, true
	t.mu.Unlock()
	var errs []error
	for _, s := range stores {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
