package mailstore

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// UIDListFile is the per-folder file that keeps IMAP UIDs stable across
// restarts (RFC 3501 section 2.3.1.1). It is this package's own format;
// Dovecot keeps its dovecot-uidlist beside it and ignores it.
const UIDListFile = "mailwire-uidlist"

// UIDList maps base names to UIDs for one folder.
type UIDList struct {
	Validity uint32
	Next     uint32
	UIDs     map[string]uint32 // base name -> UID
}

// ReadUIDList reads a folder's list; a folder without one gets a new
// list with validity as its UIDVALIDITY.
//
// The format is a first line "mailwire-uidlist 1 VALIDITY NEXT", then one
// line "UID BASE" per message. Lines are appended as messages arrive
// (Add), so NEXT in the header may lag: the next UID is above every UID
// listed. A line cut short by a crash is ignored; its message gets a UID
// again from the next scan.
func ReadUIDList(dir string, validity uint32) (*UIDList, error) {
	l := &UIDList{Validity: validity, Next: 1, UIDs: make(map[string]uint32)}
	f, err := os.Open(filepath.Join(dir, UIDListFile))
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return l, sc.Err() // an empty file, from a crash before the first write
	}
	var version int
	if _, err := fmt.Sscanf(sc.Text(), "mailwire-uidlist %d %d %d", &version, &l.Validity, &l.Next); err != nil || version != 1 {
		return nil, fmt.Errorf("maildir: %s: bad header %q", f.Name(), sc.Text())
	}
	for sc.Scan() {
		uid, base, ok := strings.Cut(sc.Text(), " ")
		n, err := strconv.ParseUint(uid, 10, 32)
		if !ok || err != nil || n == 0 {
			continue
		}
		l.UIDs[base] = uint32(n)
		l.Next = max(l.Next, uint32(n)+1)
	}
	return l, sc.Err()
}

// Add records a new message's UID at the end of the folder's list and
// syncs it.
func (l *UIDList) Add(dir string, uid uint32, base string) error {
	l.UIDs[base] = uid
	l.Next = max(l.Next, uid+1)
	path := filepath.Join(dir, UIDListFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return l.Write(dir)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(f, "%d %s\n", uid, base); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Write replaces the folder's list atomically (a temporary file renamed
// over it), so a crash leaves the old list or the new one.
func (l *UIDList) Write(dir string) error {
	tmp, err := os.CreateTemp(dir, UIDListFile+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	fmt.Fprintf(w, "mailwire-uidlist 1 %d %d\n", l.Validity, l.Next)
	for base, uid := range l.UIDs {
		fmt.Fprintf(w, "%d %s\n", uid, base)
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, UIDListFile))
}
