package maildir

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// scanned is one message file found by a readdir, without a stat.
type scanned struct {
	Name
	inNew bool
}

// scanFiles lists the message files of new/ and cur/ (a readdir of
// each, no stat of the files: the modification time is taken once per
// new message, by fillMeta).
func scanFiles(dir string) ([]scanned, error) {
	var out []scanned
	for _, sub := range []string{"new", "cur"} {
		des, err := os.ReadDir(filepath.Join(dir, sub))
		if errors.Is(err, fs.ErrNotExist) && sub == "new" {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, de := range des {
			if de.Name()[0] == '.' || de.Type()&fs.ModeType != 0 {
				continue
			}
			n := ParseName(de.Name())
			if sub == "new" {
				n = Name{Base: de.Name()} // info in new/ means nothing
			}
			out = append(out, scanned{Name: n, inNew: sub == "new"})
		}
	}
	return out, nil
}

// scanResult is what a scan found that no process recorded yet.
type scanResult struct {
	unlisted []scanned // files without a UID in dovecot-uidlist
	gone     []uint32  // messages whose file is missing
}

func (r scanResult) pending() bool { return len(r.unlisted) > 0 || len(r.gone) > 0 }

// applyScan takes the files found into the index: a listed file not in
// the index is added (with the ModSeqFile record waiting for it), one
// whose info letters changed is updated. Files without a UID and
// messages without a file are returned: only record, under the dotlock,
// gives the first a UID and declares the second expunged, after a
// second look (a readdir racing a rename may miss a file).
func (m *Mailbox) applyScan(files []scanned, ch *changeSet) scanResult {
	var res scanResult
	present := make(map[uint32]bool, len(files))
	for _, f := range files {
		uid, ok := m.byBase[f.Base]
		if !ok {
			res.unlisted = append(res.unlisted, f)
			continue
		}
		if present[uid] {
			continue // in new/ and cur/ at once, during a rename
		}
		// Recorded expunged, yet here: a readdir racing a rename missed
		// it. It comes back, with an A record of its own.
		delete(m.expunged, uid)
		present[uid] = true
		m.takeFile(uid, f, ch)
	}
	for _, e := range m.msgs {
		if !present[e.uid] {
			res.gone = append(res.gone, e.uid)
		}
	}
	return res
}

// takeFile updates, or adds, the entry of uid from its file.
func (m *Mailbox) takeFile(uid uint32, f scanned, ch *changeSet) {
	letters := intern(SortFlags(f.Flags))
	if i, ok := m.find(uid); ok {
		e := &m.msgs[i]
		if e.letters != letters {
			ch.add(uid, Changed)
		}
		e.inNew, e.letters = f.inNew, letters
		e.setExtra(f.Extra)
		return
	}
	e := entry{uid: uid, inNew: f.inNew, letters: letters, size: -1, cacheOff: -1}
	e.base = f.Base
	if p, ok := m.pop3[uid]; ok {
		e.setPOP3(p)
	}
	delete(m.byBase, f.Base) // so that the key is e.base: one copy of the name
	m.byBase[e.base] = uid
	e.setExtra(f.Extra)
	if r, ok := m.pending[uid]; ok {
		e.modseq, e.logged = r.modseq, r.flags
		delete(m.pending, uid)
	}
	m.insert(e)
	ch.add(uid, Added)
}

func (e *entry) setExtra(extra string) {
	if extra == "" && e.more == nil {
		return
	}
	if e.more == nil {
		e.more = &entryMore{}
	}
	e.more.extra = extra
}

// dropEntry removes uid from the index.
func (m *Mailbox) dropEntry(uid uint32) bool {
	i, ok := m.find(uid)
	if ok {
		m.msgs = slices.Delete(m.msgs, i, i+1)
	}
	return ok
}
