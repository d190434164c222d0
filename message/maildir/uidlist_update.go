package maildir

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// ReadUIDList reads the dovecot-uidlist of the folder dir. It needs no
// lock: the file is only appended to or replaced whole. A folder without
// one gives an error satisfying errors.Is(err, fs.ErrNotExist).
func ReadUIDList(dir string) (*UIDList, error) {
	f, err := os.Open(filepath.Join(dir, UIDListFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseUIDList(f)
}

// UpdateUIDList changes the dovecot-uidlist of the folder dir under its
// dotlock, so that no other process, mailwire or Dovecot, hands out a
// UID meanwhile. It reads the list (a folder without one starts a new
// list with validity and a new GUID), calls fn, and writes back what fn
// changed as Dovecot does: when fn only called Add on a version 3 file,
// the new lines are appended to it; otherwise the whole list is written
// to dovecot-uidlist.tmp and renamed over the file. Either is synced
// before the lock is removed. fn returning an error leaves the file as
// it was. It returns the list as written.
func UpdateUIDList(ctx context.Context, dir string, validity uint32, fn func(*UIDList) error) (*UIDList, error) {
	path := filepath.Join(dir, UIDListFile)
	lock, err := Lock(ctx, path, UIDListLockStale)
	if err != nil {
		return nil, err
	}
	l, err := updateLocked(path, lock, validity, fn)
	if unlockErr := lock.Unlock(); err == nil && unlockErr != nil {
		return nil, unlockErr
	}
	return l, err
}

func updateLocked(path string, lock *Dotlock, validity uint32, fn func(*UIDList) error) (*UIDList, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	l := &UIDList{Version: 3, Validity: validity, Next: 1}
	appendable := false
	if f != nil {
		defer f.Close()
		data, err := io.ReadAll(f)
		if err != nil {
			return nil, err
		}
		if l, err = ParseUIDList(bytes.NewReader(data)); err != nil {
			return nil, err
		}
		// Appending after a line cut short would glue the two.
		appendable = l.Version == 3 && l.GUID != "" && bytes.HasSuffix(data, []byte("\n"))
	}
	before := l.clone()
	if err := fn(l); err != nil {
		return nil, err
	}
	if l.GUID == "" {
		l.GUID = newGUID()
	}
	if !lock.Held() {
		return nil, ErrLockLost
	}
	if appendable && l.onlyAdded(before) {
		if len(l.Records) == len(before.Records) {
			return l, nil
		}
		tail := &UIDList{Validity: l.Validity, Next: l.Next, Records: l.Records[len(before.Records):]}
		return l, appendRecords(f, tail)
	}
	return l, replaceUIDList(path, l)
}

// appendRecords writes the records of tail at the end of f and syncs
// it, as Dovecot appends new messages.
func appendRecords(f *os.File, tail *UIDList) error {
	var buf bytes.Buffer
	if _, err := tail.WriteTo(&buf); err != nil {
		return err
	}
	_, lines, _ := bytes.Cut(buf.Bytes(), []byte("\n")) // without the header
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		return err
	}
	if _, err := f.Write(lines); err != nil {
		return err
	}
	return f.Sync()
}

// replaceUIDList writes l to dovecot-uidlist.tmp, syncs it and renames
// it over the list. Only the lock holder writes the temporary file, so
// it has a fixed name, as in Dovecot.
func replaceUIDList(path string, l *UIDList) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = l.WriteTo(f)
	if err == nil {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// clone copies l deeply enough for onlyAdded.
func (l *UIDList) clone() *UIDList {
	c := *l
	c.Extra = slices.Clone(l.Extra)
	c.Records = make([]UIDRecord, len(l.Records))
	for i, r := range l.Records {
		c.Records[i] = UIDRecord{UID: r.UID, Ext: slices.Clone(r.Ext), Base: r.Base}
	}
	return &c
}

// onlyAdded reports whether l is before with records added at the end
// and the next UID moved past them, and nothing else changed.
func (l *UIDList) onlyAdded(before *UIDList) bool {
	if l.Validity != before.Validity || l.GUID != before.GUID || !slices.Equal(l.Extra, before.Extra) ||
		len(l.Records) < len(before.Records) {
		return false
	}
	for i, r := range before.Records {
		got := l.Records[i]
		if got.UID != r.UID || got.Base != r.Base || !slices.Equal(got.Ext, r.Ext) {
			return false
		}
	}
	// The header's N is not rewritten by an append: readers take the
	// next UID from the last line when it is higher, so only a next UID
	// beyond the last record needs the header.
	last := before.Next
	if n := len(l.Records); n > 0 {
		last = max(last, l.Records[n-1].UID+1)
	}
	return l.Next == last
}

// newGUID returns a mailbox GUID: 128 random bits in hex, the form of
// Dovecot's G field.
func newGUID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
