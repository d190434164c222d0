package maildir

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// stamps are what tells a refresh that something changed on disk: the
// modification times of new/ and cur/ (a message added, removed or
// renamed there) and the state of the folder's index files.
type stamps struct {
	newDir, curDir            time.Time
	uidlist, keywords, modlog fileStamp
}

// fileStamp tells a file appended to (size) or replaced (the times of
// the new file) from the one seen before.
type fileStamp struct {
	size, mtime, ctime int64
}

// youngStamp is how recent a directory's modification time must be for
// a refresh not to trust it: a change within the same tick of the file
// system's clock leaves the time as it was, so a refresh looks again
// until the time is that old (Dovecot waits the same way before it
// trusts a Maildir's mtimes).
const youngStamp = 2 * time.Second

// stat takes the stamps; a folder without cur/ is gone.
func (m *Mailbox) stat() (stamps, error) {
	var st stamps
	cur, err := os.Stat(filepath.Join(m.dir, "cur"))
	if errors.Is(err, fs.ErrNotExist) {
		return st, ErrNoMailbox
	}
	if err != nil {
		return st, err
	}
	st.curDir = cur.ModTime()
	if info, err := os.Stat(filepath.Join(m.dir, "new")); err == nil {
		st.newDir = info.ModTime()
	}
	st.uidlist = stampOf(filepath.Join(m.dir, UIDListFile))
	st.keywords = stampOf(filepath.Join(m.dir, KeywordsFile))
	st.modlog = stampOf(filepath.Join(m.dir, ModSeqFile))
	return st, nil
}

func stampOf(path string) fileStamp {
	info, err := os.Stat(path)
	if err != nil {
		return fileStamp{size: -1}
	}
	return fileStamp{info.Size(), info.ModTime().UnixNano(), lastChange(info).UnixNano()}
}

// refresh brings the index up to date with the disk, doing nothing
// more than five stats when nothing changed. What it finds that no
// process recorded yet (a file without a UID, a rename or removal by
// Dovecot or a delivery agent) it records under the dotlock. Every
// Watcher is told what changed. The caller holds m.mu.
func (m *Mailbox) refresh(ctx context.Context) error {
	now := time.Now()
	st, err := m.stat()
	if err != nil {
		return err
	}
	if st == m.seen && !m.rescan {
		return nil
	}
	ch := newChangeSet()
	defer func() { m.deliver(nil, ch) }()
	torn := false
	if st.uidlist != m.seen.uidlist {
		err := m.loadUIDList(ch)
		torn = errors.Is(err, ErrCorruptUIDList) // being appended to: read it under the lock
		if err != nil && !torn {
			return err
		}
	}
	if st.keywords != m.seen.keywords {
		if m.keywords, err = ReadKeywords(m.dir); err != nil {
			return err
		}
	}
	if err := m.readLog(ch); err != nil {
		return err
	}
	var found scanResult
	if st.newDir != m.seen.newDir || st.curDir != m.seen.curDir || m.rescan {
		files, err := scanFiles(m.dir)
		if err != nil {
			return err
		}
		found = m.applyScan(files, ch)
	}
	if torn || found.pending() || m.unrecorded() {
		if err := m.record(ctx, ch); err != nil {
			return err
		}
	}
	m.fillMeta()
	if m.needsCompaction() {
		m.compactCache(ctx)
	}
	m.seen = st
	m.rescan = now.Sub(st.newDir) < youngStamp || now.Sub(st.curDir) < youngStamp
	return nil
}

// loadUIDList reads dovecot-uidlist; a folder without one has no UIDs yet.
func (m *Mailbox) loadUIDList(ch *changeSet) error {
	l, err := ReadUIDList(m.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	m.takeUIDList(l, ch)
	return nil
}

// takeUIDList makes l the index's list of UIDs. A new UIDVALIDITY
// (the list was recreated) makes every message new (RFC 3501 section
// 2.3.1.1).
func (m *Mailbox) takeUIDList(l *UIDList, ch *changeSet) {
	if m.validity != 0 && l.Validity != m.validity {
		for _, e := range m.msgs {
			ch.add(e.uid, Removed)
		}
		m.msgs, m.pending, m.expunged = nil, map[uint32]modRec{}, map[uint32]uint64{}
		m.log.restart()
		m.rescan = true
	}
	m.validity, m.next = l.Validity, l.Next
	byBase := make(map[string]uint32, len(l.Records))
	pop3 := map[uint32]string{} // the few records Dovecot gave a POP3 UIDL
	for _, r := range l.Records {
		key := r.Base
		i, ok := m.find(r.UID)
		if ok && m.msgs[i].base == r.Base {
			key = m.msgs[i].base // one copy of the name, not two
		}
		byBase[key] = r.UID
		if p, has := r.Field('P'); has {
			pop3[r.UID] = p
			if ok {
				m.msgs[i].setPOP3(p)
			}
		}
	}
	m.byBase, m.pop3 = byBase, pop3
}

func (e *entry) setPOP3(p string) {
	if e.more == nil {
		e.more = &entryMore{}
	}
	e.more.pop3 = p
}

// readLog applies what was appended to ModSeqFile.
func (m *Mailbox) readLog(ch *changeSet) error {
	if m.validity == 0 {
		return nil
	}
	return m.log.read(m.validity, func() {
		for i := range m.msgs {
			m.msgs[i].modseq, m.msgs[i].logged = 0, ""
		}
		m.pending, m.expunged = map[uint32]modRec{}, map[uint32]uint64{}
	}, func(r modRec) { m.applyRec(r, ch) })
}

// applyRec takes one ModSeqFile record into the index: a mod-sequence
// and the flags it was given for, or an expunge. The file itself is
// looked at only by a scan.
func (m *Mailbox) applyRec(r modRec, ch *changeSet) {
	if r.kind == 'X' {
		m.expunged[r.uid] = r.modseq
		delete(m.pending, r.uid)
		if i, ok := m.find(r.uid); ok {
			m.msgs = slices.Delete(m.msgs, i, i+1)
			ch.add(r.uid, Removed)
		}
		return
	}
	if ms, gone := m.expunged[r.uid]; gone {
		if r.kind != 'A' || r.modseq < ms {
			return
		}
		delete(m.expunged, r.uid) // an expunge wrongly recorded, undone:
		m.rescan = true           // its file is there to be found
	}
	i, ok := m.find(r.uid)
	if !ok {
		m.pending[r.uid] = r
		return
	}
	e := &m.msgs[i]
	if e.modseq != r.modseq {
		e.modseq, e.logged = r.modseq, r.flags
		ch.add(r.uid, Changed)
	}
}

// unrecorded reports a message whose state ModSeqFile lacks.
func (m *Mailbox) unrecorded() bool {
	for i := range m.msgs {
		if m.msgs[i].modseq == 0 || m.msgs[i].letters != m.msgs[i].logged {
			return true
		}
	}
	return false
}
