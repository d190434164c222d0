package maildir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Dovecot's dotlock timings. A lock that neither changes nor sees the
// file it protects change for the stale time is taken as left by a
// crashed process and removed; a waiter gives up after the stale time
// and two seconds more. Holders of a lock for a long time call Touch.
const (
	// UIDListLockStale is Dovecot's MAILDIR_UIDLIST_LOCK_STALE_TIMEOUT,
	// also used for dovecot-keywords.lock.
	UIDListLockStale = 2 * time.Minute
	// SubscriptionsLockStale is Dovecot's SUBSCRIPTION_FILE_CHANGE_TIMEOUT.
	SubscriptionsLockStale = 30 * time.Second
	// pidCheckAge: a lock younger than this is not checked for a dead
	// process (Dovecot's STALE_PID_CHECK_SECS); its writer may not
	// have written its pid yet.
	pidCheckAge = 2 * time.Second
)

// ErrLockTimeout reports a lock still held by another process after the
// wait; ErrLockLost a lock that another process removed as stale while
// it was held, so what was written under it may have raced.
var (
	ErrLockTimeout = errors.New("maildir: timed out waiting for a dotlock")
	ErrLockLost    = errors.New("maildir: dotlock was overridden")
)

// held lists the lock files this process holds. Goroutines share a pid,
// so a lock with this process's pid is stale only when it is not here:
// then it was left by an earlier process that had the same pid.
var held sync.Map // lock path -> struct{}

// Dotlock is a lock on a file, Dovecot's way: the file "<path>.lock"
// created with O_CREATE|O_EXCL (atomic on local file systems and on NFS
// version 3 and later), holding "<pid>:<host>". Nothing relies on flock,
// which NFS does not share between machines.
type Dotlock struct {
	path string // the file it protects
	f    *os.File
	info os.FileInfo // of the lock file when made or last touched
}

// Lock creates the dotlock of path, waiting while another process holds
// it, for at most stale + 2 seconds or until ctx ends. It removes a lock
// that is stale: one whose process is gone (same host, pid not running,
// as Dovecot checks), or one that neither changed nor saw path change
// for stale.
func Lock(ctx context.Context, path string, stale time.Duration) (*Dotlock, error) {
	return lock(ctx, path, stale, true)
}

// LockReplace is Lock for a file that the lock will replace (Write, then
// Replace): the lock file starts empty, without the pid, as Dovecot's
// file_dotlock_open makes it, so that it can become the new content.
func LockReplace(ctx context.Context, path string, stale time.Duration) (*Dotlock, error) {
	return lock(ctx, path, stale, false)
}

func lock(ctx context.Context, path string, stale time.Duration, writePid bool) (*Dotlock, error) {
	lockPath := path + ".lock"
	deadline := time.Now().Add(stale + 2*time.Second)
	w := staleCheck{lockPath: lockPath, path: path, stale: stale}
	wait := time.Millisecond
	for {
		f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			return newDotlock(path, f, writePid)
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		overridden, err := w.check(time.Now())
		if err != nil {
			return nil, err
		}
		if overridden {
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: %s", ErrLockTimeout, lockPath)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %s: %w", ErrLockTimeout, lockPath, ctx.Err())
		case <-time.After(wait + rand.N(wait)):
		}
		wait = min(wait*3/2, 100*time.Millisecond)
	}
}

func newDotlock(path string, f *os.File, writePid bool) (*Dotlock, error) {
	l := &Dotlock{path: path, f: f}
	var err error
	if writePid {
		_, err = f.WriteString(strconv.Itoa(os.Getpid()) + ":" + hostname())
	}
	if err == nil {
		l.info, err = f.Stat()
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	held.Store(f.Name(), struct{}{})
	return l, nil
}

// Write writes to the lock file of a LockReplace, the new content of
// the file it guards.
func (l *Dotlock) Write(p []byte) (int, error) { return l.f.Write(p) }

// Touch sets the lock's modification time to now, so that waiters do not
// take it as stale during a long job.
func (l *Dotlock) Touch() error {
	now := time.Now()
	if err := os.Chtimes(l.f.Name(), now, now); err != nil {
		return err
	}
	info, err := l.f.Stat()
	if err == nil {
		l.info = info
	}
	return err
}

// Held reports whether the lock file is still the one this lock made.
func (l *Dotlock) Held() bool {
	info, err := os.Lstat(l.f.Name())
	return err == nil && os.SameFile(info, l.info)
}

// Unlock removes the lock file if it is still this lock's; it returns
// ErrLockLost when another process had removed it as stale.
func (l *Dotlock) Unlock() error {
	defer held.Delete(l.f.Name())
	l.f.Close()
	if !l.Held() {
		return fmt.Errorf("%w: %s", ErrLockLost, l.f.Name())
	}
	return os.Remove(l.f.Name())
}

// Replace makes what was written to the lock file the new content of
// the protected file: it syncs the lock file and renames it over the
// file, which also ends the lock. Dovecot replaces dovecot-keywords and
// subscriptions this way.
func (l *Dotlock) Replace() error {
	defer held.Delete(l.f.Name())
	if err := l.f.Sync(); err != nil {
		l.f.Close()
		os.Remove(l.f.Name())
		return err
	}
	l.f.Close()
	if !l.Held() {
		return fmt.Errorf("%w: %s", ErrLockLost, l.f.Name())
	}
	return os.Rename(l.f.Name(), l.path)
}

// staleCheck follows one lock file while waiting for it, as Dovecot's
// dotlock code does: it notes when the lock or the protected file last
// changed, and when the lock's process is known dead.
type staleCheck struct {
	lockPath, path string
	stale          time.Duration
	lock, file     os.FileInfo // last seen
	lastChange     time.Time
}

// check reports whether it removed the lock as stale.
func (s *staleCheck) check(now time.Time) (bool, error) {
	info, err := os.Lstat(s.lockPath)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil // released meanwhile: try again now
	}
	if err != nil {
		return false, err
	}
	s.noteChange(&s.lock, info, now)
	if now.Sub(info.ModTime()) >= pidCheckAge && s.ownerGone() {
		return s.override(info)
	}
	if now.Sub(s.lastChange) <= s.stale {
		return false, nil
	}
	if info, err := os.Stat(s.path); err == nil {
		s.noteChange(&s.file, info, now)
	}
	if now.Sub(s.lastChange) <= s.stale {
		return false, nil
	}
	return s.override(info)
}

// noteChange records a change of a file since it was last seen. The
// first time, the file's own modification time counts, unless it lies
// in the future.
func (s *staleCheck) noteChange(last *os.FileInfo, info os.FileInfo, now time.Time) {
	prev := *last
	*last = info
	if prev != nil && os.SameFile(prev, info) && prev.Size() == info.Size() && prev.ModTime().Equal(info.ModTime()) {
		return
	}
	when := now
	if prev == nil && !info.ModTime().After(now) {
		when = info.ModTime()
	}
	if when.After(s.lastChange) {
		s.lastChange = when
	}
}

// ownerGone reports whether the lock names a process on this host that
// no longer runs.
func (s *staleCheck) ownerGone() bool {
	data, err := os.ReadFile(s.lockPath)
	if err != nil {
		return false
	}
	pidText, host, ok := strings.Cut(strings.TrimSuffix(string(data), "\n"), ":")
	pid, err := strconv.Atoi(pidText)
	if !ok || err != nil || pid <= 0 || host != hostname() {
		return false
	}
	if pid == os.Getpid() {
		_, ours := held.Load(s.lockPath)
		return !ours
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// override removes the lock if it is still the one judged stale, then
// pauses 0.1 to 0.2 seconds as Dovecot does, so that two waiters that
// both judged it stale do not remove each other's new lock.
func (s *staleCheck) override(judged os.FileInfo) (bool, error) {
	now, err := os.Lstat(s.lockPath)
	if err != nil || !os.SameFile(now, judged) {
		return true, nil // replaced meanwhile: look again
	}
	if err := os.Remove(s.lockPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	s.lock, s.lastChange = nil, time.Time{}
	time.Sleep(100*time.Millisecond + rand.N(100*time.Millisecond))
	return true, nil
}

// hostname is the host part of lock files and message names.
func hostname() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		return "localhost"
	}
	return host
}
