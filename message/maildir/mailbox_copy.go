package maildir

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// copySource is what Copy takes of a message before it leaves the
// source folder's lock.
type copySource struct {
	uid   uint32
	path  string
	flags []string // IMAP flags, mapped to the destination's letters
	keep  string   // letters of no IMAP flag, kept as they are
	date  time.Time
	size  int64 // wire size
}

// Copy copies the messages among uids into dest with their flags and
// internal dates (a hard link where the file system allows) and returns
// dest's UIDVALIDITY and the new UIDs in the order of uids (RFC 4315
// COPYUID). Messages expunged meanwhile are skipped.
func (m *Mailbox) Copy(ctx context.Context, uids []uint32, dest *Mailbox) (uidValidity uint32, newUIDs []uint32, err error) {
	validity, pairs, err := m.copy(ctx, uids, dest)
	for _, p := range pairs {
		newUIDs = append(newUIDs, p[1])
	}
	return validity, newUIDs, err
}

// Move is Copy followed by Remove of the sources (RFC 6851); a crash in
// between leaves the message in both folders, never in neither.
func (m *Mailbox) Move(ctx context.Context, origin *Watcher, uids []uint32, dest *Mailbox) (uidValidity uint32, newUIDs []uint32, err error) {
	validity, pairs, err := m.copy(ctx, uids, dest)
	if err != nil {
		return 0, nil, err
	}
	var moved []uint32
	for _, p := range pairs {
		moved = append(moved, p[0])
		newUIDs = append(newUIDs, p[1])
	}
	if _, err := m.Remove(ctx, origin, moved); err != nil {
		return 0, nil, err
	}
	return validity, newUIDs, nil
}

// copy does Copy and returns the pairs (source UID, new UID). The two
// folders are never locked at once, so copies each way cannot deadlock.
func (m *Mailbox) copy(ctx context.Context, uids []uint32, dest *Mailbox) (uint32, [][2]uint32, error) {
	srcs, err := m.copySources(ctx, uids)
	if err != nil {
		return 0, nil, err
	}
	var tmps []*tmpFile
	var kept []copySource
	defer func() {
		for _, t := range tmps {
			t.discard()
		}
	}()
	for _, src := range srcs {
		t, err := m.linkInto(ctx, src, dest.dir)
		if errors.Is(err, ErrExpunged) {
			continue
		}
		if err != nil {
			return 0, nil, err
		}
		tmps, kept = append(tmps, t), append(kept, src)
	}
	return dest.appendCopies(ctx, kept, tmps)
}

// copySources takes what Copy needs of the messages among uids.
func (m *Mailbox) copySources(ctx context.Context, uids []uint32) ([]copySource, error) {
	if err := m.begin(ctx); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	var out []copySource
	for _, uid := range uids {
		if i, ok := m.find(uid); ok {
			out = append(out, m.copySource(&m.msgs[i]))
		}
	}
	return out, nil
}

func (m *Mailbox) copySource(e *entry) copySource {
	src := copySource{uid: e.uid, path: e.path(m.dir), flags: flagNames(e.letters, &m.keywords),
		date: time.Unix(0, e.date), size: e.size}
	for i := 0; i < len(e.letters); i++ {
		if c := e.letters[i]; !managed(c, &m.keywords) && (c < 'a' || c > 'z') {
			src.keep += string(c)
		}
	}
	return src
}

// linkRetries is how often linkInto looks for a file renamed under it
// (a flag change by another process) before it gives up.
const linkRetries = 8

// linkInto puts the file of src into dir/tmp: a hard link, or a copy
// where links fail (another file system). A file renamed meanwhile is
// looked up again (RFC 2180 section 4.1: a COPY racing a change of the
// message copies it); ErrExpunged when it is gone.
func (m *Mailbox) linkInto(ctx context.Context, src copySource, dir string) (*tmpFile, error) {
	for try := 0; ; try++ {
		t, err := linkTmp(src, dir)
		if !errors.Is(err, fs.ErrNotExist) || try == linkRetries {
			return t, err
		}
		m.forceRescan()
		fresh, err := m.copySources(ctx, []uint32{src.uid})
		if err != nil {
			return nil, err
		}
		if len(fresh) == 0 {
			return nil, ErrExpunged
		}
		src = fresh[0]
	}
}

// linkTmp links or copies src.path into dir/tmp; fs.ErrNotExist when
// the source file is not there (renamed or removed).
func linkTmp(src copySource, dir string) (*tmpFile, error) {
	f, err := os.CreateTemp(filepath.Join(dir, "tmp"), "mailwire-copy-*")
	if err != nil {
		return nil, err
	}
	t := &tmpFile{path: f.Name(), wireSize: src.size}
	f.Close()
	os.Remove(t.path)
	if err := os.Link(src.path, t.path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if err := copyFile(src.path, t.path, src.date); err != nil {
			t.discard()
			return nil, err
		}
	}
	info, err := os.Stat(t.path)
	if err != nil {
		t.discard()
		return nil, err
	}
	t.size = info.Size()
	return t, nil
}

// copyFile copies a message file, synced, with its modification time.
func copyFile(from, to string, date time.Time) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if closeErr := out.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Chtimes(to, date, date)
	}
	return err
}

// appendCopies publishes the copied files into m under its dotlock.
func (m *Mailbox) appendCopies(ctx context.Context, srcs []copySource, tmps []*tmpFile) (uint32, [][2]uint32, error) {
	if err := m.begin(ctx); err != nil {
		return 0, nil, err
	}
	defer m.mu.Unlock()
	ch := newChangeSet()
	defer m.deliver(nil, ch)
	var pairs [][2]uint32
	err := m.locked(ctx, ch, func(l *UIDList) error {
		for i, src := range srcs {
			letters, err := m.lettersFor(src.flags, src.keep)
			if err != nil {
				return err
			}
			uid, err := m.publish(l, tmps[i], letters, src.date, ch)
			if err != nil {
				return err
			}
			pairs = append(pairs, [2]uint32{src.uid, uid})
		}
		return m.appendLog(l.Validity, m.unrecordedRecs())
	})
	m.cache.flush()
	return m.validity, pairs, err
}
