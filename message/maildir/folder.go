package maildir

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Create makes the tmp, new and cur directories of a folder.
func Create(dir string) error {
	for _, sub := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return err
		}
	}
	return nil
}

// Exists reports whether dir is a Maildir folder.
func Exists(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "cur"))
	return err == nil && st.IsDir()
}

// Write stores the message read from r (CRLF line ends are stored as
// LF) crash-safely: it is written to tmp and synced, then renamed into
// new, or into cur with flags when flags is not "" (a message that
// arrives with flags has been seen by a client), and the directory is
// synced so the rename survives a crash. date, if not zero, becomes the
// file's modification time, which readers take as the internal date. It
// returns the name the message got.
func Write(dir string, r io.Reader, flags string, date time.Time) (Name, error) {
	return WriteLate(dir, r, func() string { return flags }, date)
}

// WriteLate is Write for flags known only once the message is read, as
// when an IMAP server sends FLAGS after the body: flags is called after
// the message is on disk, before the rename decides between new and cur.
func WriteLate(dir string, r io.Reader, flagsOf func() string, date time.Time) (Name, error) {
	t, err := writeTmp(dir, r, date)
	if err != nil {
		return Name{}, err
	}
	name, err := t.publish(dir, flagsOf())
	if err != nil {
		t.discard()
	}
	return name, err
}

// tmpFile is a message written and synced in tmp/, not yet published.
type tmpFile struct {
	path           string
	size, wireSize int64
}

// writeTmp is the first half of Write: the message read from r lands in
// dir/tmp, synced, with date as its modification time. No lock is held
// meanwhile; the caller publishes or discards it.
func writeTmp(dir string, r io.Reader, date time.Time) (*tmpFile, error) {
	tmp, err := os.CreateTemp(filepath.Join(dir, "tmp"), "mailwire-*")
	if err != nil {
		return nil, err
	}
	t := &tmpFile{path: tmp.Name()}
	bw := bufio.NewWriterSize(tmp, 64<<10)
	lw := &lfWriter{w: bw}
	_, err = io.Copy(lw, r)
	if err == nil {
		err = lw.flush()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil && !date.IsZero() {
		err = os.Chtimes(t.path, date, date)
	}
	if err != nil {
		t.discard()
		return nil, err
	}
	t.size, t.wireSize = lw.size, lw.wireSize
	return t, nil
}

// publish is the second half of Write: the file is renamed into new, or
// into cur with flags, under a new base name, and the directory synced.
func (t *tmpFile) publish(dir, flags string) (Name, error) {
	name := Name{Base: NewBase(time.Now(), t.size, t.wireSize), Flags: SortFlags(flags)}
	target := name.PathIn(dir)
	if err := os.Rename(t.path, target); err != nil {
		return Name{}, err
	}
	return name, SyncDir(filepath.Dir(target))
}

// discard removes the file from tmp.
func (t *tmpFile) discard() { os.Remove(t.path) }

// SyncDir makes a rename into dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Entry is a message file found by Scan.
type Entry struct {
	Name
	Path    string // full path of the file now
	ModTime time.Time
}

// Scan lists the messages of a folder, in new and in cur.
func Scan(dir string) ([]Entry, error) {
	var out []Entry
	for _, sub := range []string{"new", "cur"} {
		des, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return nil, err
		}
		for _, de := range des {
			if !de.Type().IsRegular() || de.Name()[0] == '.' {
				continue
			}
			info, err := de.Info()
			if errors.Is(err, fs.ErrNotExist) {
				continue // renamed by another reader meanwhile; the next scan finds it
			}
			if err != nil {
				return nil, err
			}
			out = append(out, Entry{Name: ParseName(de.Name()), Path: filepath.Join(dir, sub, de.Name()), ModTime: info.ModTime()})
		}
	}
	return out, nil
}

// SetFlags renames a message file to carry flags, moving it into cur, and
// returns its new path.
func SetFlags(dir, path string, n Name) (string, error) {
	target := filepath.Join(dir, "cur", n.File())
	if target == path {
		return path, nil
	}
	return target, os.Rename(path, target)
}

// Stamp returns the modification times of new and cur, which change
// whenever a message is added, removed or renamed there.
func Stamp(dir string) (time.Time, time.Time) {
	var t [2]time.Time
	for i, sub := range []string{"new", "cur"} {
		if st, err := os.Stat(filepath.Join(dir, sub)); err == nil {
			t[i] = st.ModTime()
		}
	}
	return t[0], t[1]
}
