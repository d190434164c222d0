package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailwire/mailwire/message/maildir"
)

// stateFile is the name, inside the Maildir, of the file that lists the
// unique ids already stored. Maildir readers ignore names starting with a
// dot outside tmp, new and cur.
const stateFile = ".mailfetch-uidl"

// uidState is the set of messages already stored, as "id account" lines.
// The account (source.Account) lets several mailboxes share a folder; ids
// hold no spaces (RFC 1939 section 7: 0x21 to 0x7E), so the first space
// ends the id. Runs into one folder must not overlap, or one run's save
// can hide the other's ids (duplicates later, no loss).
type uidState struct {
	path    string
	entries []stateEntry
	index   map[stateEntry]bool
}

type stateEntry struct{ account, id string }

// loadState reads the state file of dir; a missing file is an empty state.
func loadState(dir string) (*uidState, error) {
	s := &uidState{path: filepath.Join(dir, stateFile), index: make(map[stateEntry]bool)}
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		id, account, ok := strings.Cut(line, " ")
		if !ok || id == "" || account == "" {
			return nil, fmt.Errorf("%s:%d: not an \"id account\" line", s.path, n)
		}
		s.add(account, id)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", s.path, err)
	}
	return s, nil
}

func (s *uidState) has(account, id string) bool {
	return s.index[stateEntry{account, id}]
}

func (s *uidState) add(account, id string) {
	e := stateEntry{account, id}
	if !s.index[e] {
		s.index[e] = true
		s.entries = append(s.entries, e)
	}
}

// ids returns the ids stored for account, in the order they were added.
func (s *uidState) ids(account string) []string {
	var out []string
	for _, e := range s.entries {
		if e.account == account {
			out = append(out, e.id)
		}
	}
	return out
}

// prune forgets the ids of account that the mailbox no longer lists, so
// that the file does not grow forever. A server never gives a removed
// message's id to another one (RFC 1939 section 7), so nothing is fetched
// twice because of it. It reports whether it forgot any.
func (s *uidState) prune(account string, listed []string) bool {
	keep := make(map[string]bool, len(listed))
	for _, id := range listed {
		keep[id] = true
	}
	kept := s.entries[:0]
	for _, e := range s.entries {
		if e.account != account || keep[e.id] {
			kept = append(kept, e)
		} else {
			delete(s.index, e)
		}
	}
	changed := len(kept) != len(s.entries)
	s.entries = kept
	return changed
}

// save replaces the state file atomically: the new contents are written to
// a temporary file in the same folder, synced, and renamed over the old
// one, so a crash leaves the old state or the new, never a mix.
func (s *uidState) save() error {
	dir := filepath.Dir(s.path)
	f, err := os.CreateTemp(dir, stateFile+".tmp*")
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	bw.WriteString("# mailfetch: unique ids of the messages stored in this Maildir (id account)\n")
	for _, e := range s.entries {
		bw.WriteString(e.id + " " + e.account + "\n")
	}
	err = bw.Flush()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), s.path)
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	return maildir.SyncDir(dir)
}
