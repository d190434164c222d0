package queue

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Spool is the on-disk Store. Its folder holds three subfolders:
//
//	tmp/  files being written, never read back
//	msg/  ID: the message octets
//	env/  ID: the envelope, as JSON
//
// A file is written in tmp, synced, renamed into place, and the folder
// it was renamed into is synced, so that it is either wholly there or
// not at all after a crash (rename is atomic in POSIX). An entry exists
// when its envelope does: Create writes the message first and the
// envelope last, Remove deletes them in the other order, and OpenSpool
// deletes a message without an envelope, which a crash in the middle of
// either can leave. Nothing is lost: until the envelope is renamed, the
// SMTP client has had no 250 and will send the message again.
type Spool struct {
	dir string
}

// Subfolders of a spool.
const (
	tmpDir = "tmp"
	msgDir = "msg"
	envDir = "env"
)

// OpenSpool opens the spool in dir, creating it when missing, and clears
// what an interrupted write left behind.
func OpenSpool(dir string) (*Spool, error) {
	s := &Spool{dir: dir}
	for _, d := range []string{tmpDir, msgDir, envDir} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return nil, err
		}
	}
	if err := s.clean(); err != nil {
		return nil, err
	}
	return s, nil
}

// clean empties tmp and deletes messages that have no envelope.
func (s *Spool) clean() error {
	tmp, err := os.ReadDir(filepath.Join(s.dir, tmpDir))
	if err != nil {
		return err
	}
	for _, f := range tmp {
		if err := os.Remove(filepath.Join(s.dir, tmpDir, f.Name())); err != nil {
			return err
		}
	}
	msgs, err := os.ReadDir(filepath.Join(s.dir, msgDir))
	if err != nil {
		return err
	}
	for _, f := range msgs {
		_, err := os.Stat(s.path(envDir, f.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			err = os.Remove(s.path(msgDir, f.Name()))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Spool) path(sub, id string) string { return filepath.Join(s.dir, sub, id) }

// validID keeps an ID inside the spool: it becomes a file name.
func validID(id string) bool {
	return id != "" && id != "." && id != ".." && !strings.ContainsAny(id, `/\`+"\x00")
}

// Create implements Store.
func (s *Spool) Create(e *Entry, msg io.Reader) error {
	if !validID(e.ID) {
		return fmt.Errorf("queue: invalid id %q", e.ID)
	}
	if _, err := os.Stat(s.path(envDir, e.ID)); err == nil {
		return ErrExists
	}
	n, err := s.write(msgDir, e.ID, func(w io.Writer) error {
		_, err := io.Copy(w, msg)
		return err
	})
	if err != nil {
		return err
	}
	e.Size = n
	if err := s.Update(e); err != nil {
		os.Remove(s.path(msgDir, e.ID))
		return err
	}
	return nil
}

// Update implements Store.
func (s *Spool) Update(e *Entry) error {
	if !validID(e.ID) {
		return fmt.Errorf("queue: invalid id %q", e.ID)
	}
	_, err := s.write(envDir, e.ID, func(w io.Writer) error {
		return json.NewEncoder(w).Encode(e)
	})
	return err
}

// write makes the file sub/id durably: into tmp, fsync, rename, fsync of
// the folder. It returns the size written.
func (s *Spool) write(sub, id string, fill func(io.Writer) error) (int64, error) {
	f, err := os.CreateTemp(filepath.Join(s.dir, tmpDir), id+".*")
	if err != nil {
		return 0, err
	}
	tmp := f.Name()
	err = fill(f)
	if err == nil {
		err = f.Sync()
	}
	var size int64
	if err == nil {
		var st os.FileInfo
		if st, err = f.Stat(); err == nil {
			size = st.Size()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, s.path(sub, id))
	}
	if err != nil {
		os.Remove(tmp)
		return 0, err
	}
	return size, syncDir(filepath.Join(s.dir, sub))
}

// syncDir makes a rename or removal in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Remove implements Store. The envelope goes first: once it is gone the
// entry is gone, even if a crash leaves the message for clean.
func (s *Spool) Remove(id string) error {
	if !validID(id) {
		return ErrNotFound
	}
	if err := os.Remove(s.path(envDir, id)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return ErrNotFound
		}
		return err
	}
	if err := syncDir(filepath.Join(s.dir, envDir)); err != nil {
		return err
	}
	if err := os.Remove(s.path(msgDir, id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Open implements Store.
func (s *Spool) Open(id string) (io.ReadCloser, error) {
	if !validID(id) {
		return nil, ErrNotFound
	}
	f, err := os.Open(s.path(msgDir, id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

// List implements Store.
func (s *Spool) List() ([]*Entry, error) {
	files, err := os.ReadDir(filepath.Join(s.dir, envDir))
	if err != nil {
		return nil, err
	}
	entries := make([]*Entry, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(s.path(envDir, f.Name()))
		if err != nil {
			return nil, err
		}
		e := new(Entry)
		if err := json.Unmarshal(b, e); err != nil {
			return nil, fmt.Errorf("queue: envelope %s: %w", f.Name(), err)
		}
		entries = append(entries, e)
	}
	return entries, nil
}
