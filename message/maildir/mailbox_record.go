package maildir

import (
	"context"
	"os"
	"slices"
	"sync/atomic"
	"time"
)

// newValidity is the UIDVALIDITY of a folder's first dovecot-uidlist:
// the time, as Dovecot takes it.
func newValidity() uint32 { return uint32(time.Now().Unix()) }

// locked runs fn under the dovecot-uidlist dotlock with the index
// brought up to date with the list, dovecot-keywords and ModSeqFile as
// they are under the lock; what fn changes in the list is written back
// (UpdateUIDList). The caller holds m.mu.
func (m *Mailbox) locked(ctx context.Context, ch *changeSet, fn func(*UIDList) error) error {
	_, err := UpdateUIDList(ctx, m.dir, newValidity(), func(l *UIDList) error {
		m.takeUIDList(l, ch)
		kw, err := ReadKeywords(m.dir)
		if err != nil {
			return err
		}
		m.keywords = kw
		if err := m.readLog(ch); err != nil {
			return err
		}
		if err := fn(l); err != nil {
			return err
		}
		m.validity, m.next = l.Validity, l.Next
		return nil
	})
	return err
}

// record gives what a scan found unrecorded its UID and mod-sequence,
// under the dotlock: it reads the list and the log again and scans
// again, since another process may have recorded it meanwhile (then it
// adopts that). Files without a UID get the next ones, in the order of
// their names (their delivery time); messages still without a file are
// expunged; messages whose letters ModSeqFile lacks get a new
// mod-sequence.
func (m *Mailbox) record(ctx context.Context, ch *changeSet) error {
	return m.locked(ctx, ch, func(l *UIDList) error {
		files, err := scanFiles(m.dir)
		if err != nil {
			return err
		}
		found := m.applyScan(files, ch)
		slices.SortFunc(found.unlisted, func(a, b scanned) int { return cmpString(a.Base, b.Base) })
		for _, f := range found.unlisted {
			if _, dup := m.byBase[f.Base]; dup {
				continue // in new/ and cur/ at once during a rename
			}
			uid := l.Add(f.Base)
			m.byBase[f.Base] = uid
			m.takeFile(uid, f, ch)
		}
		var recs []modRec
		for _, uid := range found.gone {
			m.dropEntry(uid)
			ch.add(uid, Removed)
			recs = append(recs, modRec{kind: 'X', uid: uid})
		}
		recs = append(recs, m.unrecordedRecs()...)
		return m.appendLog(l.Validity, recs)
	})
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// unrecordedRecs are the records of the messages whose state
// ModSeqFile lacks: A for one it never saw, F for new letters.
func (m *Mailbox) unrecordedRecs() []modRec {
	var recs []modRec
	for i := range m.msgs {
		e := &m.msgs[i]
		switch {
		case e.modseq == 0:
			recs = append(recs, modRec{kind: 'A', uid: e.uid, flags: e.letters})
		case e.letters != e.logged:
			recs = append(recs, modRec{kind: 'F', uid: e.uid, flags: e.letters})
		}
	}
	return recs
}

// appendLog gives recs their mod-sequences in ModSeqFile and takes them
// into the index. The caller holds the dotlock and has read the log.
func (m *Mailbox) appendLog(validity uint32, recs []modRec) error {
	if len(recs) == 0 && m.log.id != nil {
		return nil
	}
	recs, err := m.log.append(validity, recs, m.liveRecs)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if r.kind == 'X' {
			m.expunged[r.uid] = r.modseq
			continue
		}
		if i, ok := m.find(r.uid); ok {
			m.msgs[i].modseq, m.msgs[i].logged = r.modseq, r.flags
		}
	}
	return nil
}

// liveRecs is what a compacted ModSeqFile holds: one record per
// message and the expunges.
func (m *Mailbox) liveRecs() []modRec {
	recs := make([]modRec, 0, len(m.msgs)+len(m.expunged))
	for uid, ms := range m.expunged {
		recs = append(recs, modRec{modseq: ms, kind: 'X', uid: uid})
	}
	for _, e := range m.msgs {
		if e.modseq != 0 {
			recs = append(recs, modRec{modseq: e.modseq, kind: 'F', uid: e.uid, flags: e.logged})
		}
	}
	slices.SortFunc(recs, func(a, b modRec) int {
		if a.modseq < b.modseq {
			return -1
		}
		if a.modseq > b.modseq {
			return 1
		}
		return 0
	})
	return recs
}

// statCount counts the message files fillMeta stats (tests check that a
// restart stats none).
var statCount atomic.Int64

// fillMeta gives the messages seen for the first time their internal
// date and wire size: from CacheFile, else the file's modification time
// and the W= of its name (else the size of its wire form), which it
// then records in CacheFile.
func (m *Mailbox) fillMeta() {
	defer m.cache.flush()
	for i := range m.msgs {
		e := &m.msgs[i]
		if e.date != 0 && e.size >= 0 {
			continue
		}
		if m.cache.meta(e) {
			continue
		}
		path := e.path(m.dir)
		statCount.Add(1)
		info, err := os.Stat(path)
		if err != nil {
			continue // renamed meanwhile: the next refresh sees it
		}
		e.date = info.ModTime().UnixNano()
		if w := (Name{Base: e.base}).Field('W'); w > 0 {
			e.size = w
		} else if msg, err := OpenMessage(path); err == nil {
			e.size = msg.Size()
			msg.Close()
		}
		m.cache.putMeta(e)
	}
}
