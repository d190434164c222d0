package maildir

import (
	"context"
	"errors"
	"os"
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
	lock, err := s.lockMaildrop(ctx)
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

// lockMaildrop takes the dotlock, waiting maildropWait for a holder
// that is quitting. A lock whose process on this host is gone is taken
// over at once (Lock waits a while before it checks the pid, which a
// POP3 client should not wait for); a live holder's means ErrInUse.
func (s *Store) lockMaildrop(ctx context.Context) (*Dotlock, error) {
	path := filepath.Join(s.root, maildropLockFile)
	for try := 0; ; try++ {
		wait, cancel := context.WithTimeout(ctx, maildropWait)
		lock, err := Lock(wait, path, maildropStale)
		cancel()
		if !errors.Is(err, ErrLockTimeout) || ctx.Err() != nil {
			return lock, err
		}
		check := staleCheck{lockPath: path + ".lock", path: path, stale: maildropStale}
		info, statErr := os.Lstat(check.lockPath)
		if try > 0 || statErr != nil || !check.ownerGone() {
			return nil, ErrInUse
		}
		s.log.Info("maildir: removing the POP3 lock of a process gone", "path", check.lockPath)
		if _, err := check.override(info); err != nil {
			return nil, err
		}
	}
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
