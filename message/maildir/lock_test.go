package maildir

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLock_Content: the lock is "<path>.lock" holding "<pid>:<host>"
// (Dovecot's file_dotlock format), made with O_EXCL so a second Lock
// waits, and gone after Unlock.
func TestLock_Content(t *testing.T) {
	path := filepath.Join(t.TempDir(), UIDListFile)
	l, err := Lock(context.Background(), path, UIDListLockStale)
	require.NoError(t, err)
	data, err := os.ReadFile(path + ".lock")
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(os.Getpid())+":"+hostname(), string(data))

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = Lock(ctx, path, UIDListLockStale)
	assert.ErrorIs(t, err, ErrLockTimeout, "held by a live goroutine of this process")

	require.NoError(t, l.Unlock())
	assert.NoFileExists(t, path+".lock")
	l, err = Lock(context.Background(), path, UIDListLockStale)
	require.NoError(t, err)
	require.NoError(t, l.Unlock())
}

// TestLock_Stale: a lock is removed when its process is gone, or when
// neither it nor the file it guards changed for the stale time; a lock
// whose holder keeps touching it is not.
func TestLock_Stale(t *testing.T) {
	old := time.Now().Add(-10 * time.Second)
	for _, tc := range []struct {
		name    string
		content string
		mtime   time.Time
		stale   time.Duration
		removed bool
	}{
		{"dead process on this host", "999999999:" + hostname(), old, UIDListLockStale, true},
		{"earlier process with our pid", strconv.Itoa(os.Getpid()) + ":" + hostname(), old, UIDListLockStale, true},
		{"unchanged past the stale time", "1:elsewhere", old, time.Second, true},
		{"other host, young", "999999999:elsewhere", time.Now(), UIDListLockStale, false},
		{"dead process but only just made", "999999999:" + hostname(), time.Now(), UIDListLockStale, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), UIDListFile)
			require.NoError(t, os.WriteFile(path+".lock", []byte(tc.content), 0o600))
			require.NoError(t, os.Chtimes(path+".lock", tc.mtime, tc.mtime))
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			l, err := Lock(ctx, path, tc.stale)
			if !tc.removed {
				assert.ErrorIs(t, err, ErrLockTimeout)
				return
			}
			require.NoError(t, err)
			require.NoError(t, l.Unlock())
		})
	}
}

// TestLock_TouchedIsNotStale: a holder that touches its lock keeps it
// past the stale time; the waiter gets it once the holder stops.
func TestLock_TouchedIsNotStale(t *testing.T) {
	path := filepath.Join(t.TempDir(), UIDListFile)
	require.NoError(t, os.WriteFile(path+".lock", []byte("1:elsewhere"), 0o600))
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				now := time.Now()
				os.Chtimes(path+".lock", now, now)
				os.WriteFile(path+".lock", []byte("1:elsewhere"+now.String()), 0o600)
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	_, err := Lock(ctx, path, 300*time.Millisecond)
	close(stop)
	require.ErrorIs(t, err, ErrLockTimeout)
	l, err := Lock(context.Background(), path, 300*time.Millisecond)
	require.NoError(t, err, "stale once no longer touched")
	require.NoError(t, l.Unlock())
}

// TestLock_Lost: Unlock and Replace report a lock another process took
// over, and leave that process's lock alone.
func TestLock_Lost(t *testing.T) {
	path := filepath.Join(t.TempDir(), "subscriptions")
	for _, end := range []func(*Dotlock) error{(*Dotlock).Unlock, (*Dotlock).Replace} {
		l, err := Lock(context.Background(), path, SubscriptionsLockStale)
		require.NoError(t, err)
		require.NoError(t, os.Remove(path+".lock"))
		require.NoError(t, os.WriteFile(path+".lock", []byte("1:other"), 0o600))
		assert.False(t, l.Held())
		assert.ErrorIs(t, end(l), ErrLockLost)
		assert.FileExists(t, path+".lock")
		require.NoError(t, os.Remove(path+".lock"))
	}
	assert.NoFileExists(t, path)
}

// TestLock_Replace: what is written to the lock becomes the file, and
// the lock is gone (Dovecot's file_dotlock_replace).
func TestLock_Replace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "subscriptions")
	require.NoError(t, os.WriteFile(path, []byte("old\n"), 0o600))
	l, err := LockReplace(context.Background(), path, SubscriptionsLockStale)
	require.NoError(t, err)
	_, err = l.Write([]byte("new\n"))
	require.NoError(t, err)
	require.NoError(t, l.Replace())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "new\n", string(data))
	assert.NoFileExists(t, path+".lock")
}
