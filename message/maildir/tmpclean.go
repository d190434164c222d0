package maildir

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// TmpMaxAge is how long a file may stay in tmp: the Maildir convention
// lets a reader remove a file in tmp that has not been accessed for 36
// hours (qmail's maildir(5)), and Dovecot removes files whose inode
// changed (ctime) last that long ago (MAILDIR_TMP_DELETE_SECS in
// maildir-storage.h). A writer crashed between creating the file and
// renaming it into new leaves such files.
const TmpMaxAge = 36 * time.Hour

// CleanTmp removes the files in dir/tmp that have been neither written
// nor had their inode changed for olderThan before now, as Dovecot
// does (pass TmpMaxAge), and returns how many it removed. Directories
// are left alone, and so is a file another process removes meanwhile.
// Whoever opens a folder calls it; the Maildir convention leaves how
// often to the reader.
func CleanTmp(dir string, olderThan time.Duration, now time.Time) (int, error) {
	tmp := filepath.Join(dir, "tmp")
	des, err := os.ReadDir(tmp)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	cutoff := now.Add(-olderThan)
	removed := 0
	for _, de := range des {
		if de.IsDir() {
			continue
		}
		info, err := de.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return removed, err
		}
		if !lastChange(info).Before(cutoff) {
			continue
		}
		err = os.Remove(filepath.Join(tmp, de.Name()))
		switch {
		case err == nil:
			removed++
		case !errors.Is(err, fs.ErrNotExist):
			return removed, err
		}
	}
	return removed, nil
}
