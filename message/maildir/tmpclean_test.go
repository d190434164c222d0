package maildir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCleanTmp removes the files of tmp/ older than 36 hours (the
// Maildir convention, Dovecot's MAILDIR_TMP_DELETE_SECS) and keeps fresh
// ones, directories, and the messages in new and cur. Times are judged
// against the now given, so "36 hours later" is a now 36 hours on.
func TestCleanTmp(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, Create(dir))
	_, err := Write(dir, strings.NewReader("kept\n"), "", time.Time{})
	require.NoError(t, err)
	tmp := filepath.Join(dir, "tmp")
	for _, name := range []string{"old1", "old2"} {
		require.NoError(t, os.WriteFile(filepath.Join(tmp, name), []byte("x"), 0o600))
	}
	// An old modification time alone does not make a file old: its
	// inode changed now, as Dovecot judges by ctime.
	require.NoError(t, os.Mkdir(filepath.Join(tmp, "subdir"), 0o700)) // old too, but a directory
	past := time.Now().Add(-100 * time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(tmp, "old2"), past, past))
	time.Sleep(20 * time.Millisecond)
	between := time.Now()
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "fresh"), []byte("x"), 0o600))

	n, err := CleanTmp(dir, TmpMaxAge, time.Now())
	require.NoError(t, err)
	assert.Zero(t, n, "nothing is 36 hours old yet")

	n, err = CleanTmp(dir, TmpMaxAge, between.Add(TmpMaxAge))
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	des, err := os.ReadDir(tmp)
	require.NoError(t, err)
	var left []string
	for _, de := range des {
		left = append(left, de.Name())
	}
	assert.Equal(t, []string{"fresh", "subdir"}, left)
	entries, err := Scan(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "new and cur untouched")

	n, err = CleanTmp(filepath.Join(dir, "missing"), TmpMaxAge, time.Now())
	require.NoError(t, err)
	assert.Zero(t, n)
}
