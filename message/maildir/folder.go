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
	tmp, err := os.CreateTemp(filepath.Join(dir, "tmp"), "mailwire-*")
	if err != nil {
		return Name{}, err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	lw := &lfWriter{w: bw}
	if _, err := io.Copy(lw, r); err != nil {
		return Name{}, err
	}
	if err := lw.flush(); err != nil {
		return Name{}, err
	}
	if err := bw.Flush(); err != nil {
		return Name{}, err
	}
	if err := tmp.Sync(); err != nil {
		return Name{}, err
	}
	if err := tmp.Close(); err != nil {
		return Name{}, err
	}
	if !date.IsZero() {
		if err := os.Chtimes(tmp.Name(), date, date); err != nil {
			return Name{}, err
		}
	}
	flags := flagsOf()
	name := Name{Base: NewBase(time.Now(), lw.size, lw.wireSize), Flags: SortFlags(flags)}
	target := filepath.Join(dir, "new", name.Base)
	if flags != "" {
		target = filepath.Join(dir, "cur", name.File())
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return Name{}, err
	}
	ok = true
	return name, SyncDir(filepath.Dir(target))
}

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
