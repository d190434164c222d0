package maildir

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"time"
)

// POP3 maildrop lock timings: a holder touches the lock every
// maildropTouch, so a lock untouched for maildropStale was left by a
// crashed holder (one on another host; a dead pid on this host is seen
// at once). A taker waits maildropWait for a holder just quitting.
const (
	maildropLockFile = "mailwire-pop3"
	maildropStale    = 30 * time.Second
	maildropTouch    = 10 * time.Second
	maildropWait     = time.Second
)

// LockMaildrop takes the POP3 lock of the store's INBOX, a dotlock that
// other processes see too (RFC 1939 section 8): ErrInUse while another
// session holds it. The returned function releases it; the lock is kept
// fresh while held, so a crashed holder's lock goes stale. Store.Close
// stops the refreshing too.
func (s *Store) LockMaildrop(ctx context.Context) (unlock func() error, err error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	wait, cancel := context.WithTimeout(ctx, maildropWait)
	defer cancel()
	lock, err := Lock(wait, filepath.Join(s.root, maildropLockFile), maildropStale)
	if errors.Is(err, ErrLockTimeout) && ctx.Err() == nil {
		return nil, ErrInUse
	}
	if err != nil {
		return nil, err
	}
	stop := make(chan struct{})
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		lock.Unlock()
		return nil, ErrClosed
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go s.touchLock(lock, stop)
	var once sync.Once
	return func() error {
		err := ErrClosed
		once.Do(func() {
			close(stop)
			err = lock.Unlock()
		})
		return err
	}, nil
}

// touchLock keeps lock fresh until stop or the Store closes.
func (s *Store) touchLock(lock *Dotlock, stop chan struct{}) {
	defer s.wg.Done()
	t := time.NewTicker(maildropTouch)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-s.done:
			return
		case <-t.C:
			if err := lock.Touch(); err != nil {
				s.log.Warn("maildir: refreshing the POP3 lock", "err", err)
			}
		}
	}
}
