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

// Append stores the message read from r with flags and internal date
// (now when zero) and returns the folder's UIDVALIDITY and the message's
// UID (RFC 4315 APPENDUID). It reads r to its end and stores nothing when
// r fails. The message is on disk (synced) and in dovecot-uidlist when
// Append returns; every Watcher is told.
//
// As Dovecot does, the file is written into tmp/ without a lock, then
// renamed into new/ (cur/ with flags) under the dovecot-uidlist dotlock
// and given its UID there, so that no process scans it before it has one.
//
// The message's structure is parsed and written to CacheFile before
// Append returns, while the file is in the page cache, as Dovecot fills
// its cache when it saves: the first FETCH BODYSTRUCTURE after a restart
// then reads the cache instead of parsing every message.
func (m *Mailbox) Append(ctx context.Context, r io.Reader, flags []string, date time.Time) (uidValidity, uid uint32, err error) {
	uidValidity, uid, err = m.append(ctx, r, flags, date)
	if err == nil {
		_, _ = m.structure(ctx, uid, false) // a failure here is the next reader's to report
	}
	return uidValidity, uid, err
}

// append is Append without the structure.
func (m *Mailbox) append(ctx context.Context, r io.Reader, flags []string, date time.Time) (uidValidity, uid uint32, err error) {
	if date.IsZero() {
		date = time.Now()
	}
	t, err := writeTmp(m.dir, r, date)
	if err != nil {
		return 0, 0, err
	}
	defer t.discard() // a no-op once published
	// No refresh first: locked reads the list, the keywords and the log
	// under the lock, all that a UID and a mod-sequence depend on, and a
	// readdir of new/ and cur/ before each APPEND (their times change with
	// every message) made a preload of n messages cost n readdirs.
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return 0, 0, err
	}
	ch := newChangeSet()
	defer m.deliver(nil, ch)
	err = m.locked(ctx, ch, func(l *UIDList) error {
		letters, err := m.lettersFor(flags, "")
		if err != nil {
			return err
		}
		uid, err = m.publish(l, t, letters, date, ch)
		if err != nil {
			return err
		}
		return m.appendLog(l.Validity, m.unrecordedRecs())
	})
	m.cache.flush()
	return m.validity, uid, err
}

// lettersFor returns the info letters of flags with keep (letters to
// keep as they are) added, defining new keywords in dovecot-keywords.
// The caller holds the dotlock.
func (m *Mailbox) lettersFor(flags []string, keep string) (string, error) {
	letters, added, err := flagLetters(flags, &m.keywords, true)
	if err != nil {
		return "", err
	}
	if added {
		if err := WriteKeywords(m.dir, m.keywords); err != nil {
			return "", err
		}
	}
	return SortFlags(letters + keep), nil
}

// publish renames t into the folder with letters and gives it the next
// UID in l. The caller holds the dotlock.
func (m *Mailbox) publish(l *UIDList, t *tmpFile, letters string, date time.Time, ch *changeSet) (uint32, error) {
	name, err := t.publish(m.dir, letters)
	if err != nil {
		return 0, err
	}
	uid := l.Add(name.Base)
	m.byBase[name.Base] = uid
	e := entry{uid: uid, inNew: letters == "", letters: intern(name.Flags), base: name.Base,
		date: date.UnixNano(), size: t.wireSize, cacheOff: -1}
	m.insert(e)
	m.cache.putMeta(&e)
	ch.add(uid, Added)
	return uid, nil
}

// FlagOp is how SetFlags changes flags (RFC 3501 section 6.4.6).
type FlagOp int

// The FlagOps.
const (
	FlagsReplace FlagOp = iota // FLAGS
	FlagsAdd                   // +FLAGS
	FlagsRemove                // -FLAGS
)

// SetFlags changes the flags of the messages among uids and returns the
// messages whose flags or mod-sequence changed, with their new state.
// A message whose mod-sequence is above unchangedSince (when not 0) is
// left alone and returned in failed (RFC 7162 section 3.1.3
// UNCHANGEDSINCE, [MODIFIED]). A keyword beyond the 26 letters of the
// info answers ErrKeywordsFull. origin, when not nil, is the Watcher of
// the caller, which is not told of the change.
//
// Each file is renamed to cur/base:2,<letters>, letters that stand for
// no IMAP flag (such as P) kept. A rename that finds the file gone,
// renamed by another process, looks again once.
func (m *Mailbox) SetFlags(ctx context.Context, origin *Watcher, uids []uint32, op FlagOp, flags []string, unchangedSince uint64) (changed []Info, failed []uint32, err error) {
	if err := m.begin(ctx); err != nil {
		return nil, nil, err
	}
	defer m.mu.Unlock()
	others, own := newChangeSet(), newChangeSet()
	defer func() { m.deliver(nil, others); m.deliver(origin, own) }()
	var done []uint32
	err = m.locked(ctx, others, func(l *UIDList) error {
		letters, added, err := flagLetters(flags, &m.keywords, op != FlagsRemove)
		if err != nil {
			return err
		}
		if added {
			if err := WriteKeywords(m.dir, m.keywords); err != nil {
				return err
			}
		}
		for _, uid := range uids {
			i, ok := m.find(uid)
			if !ok {
				continue
			}
			if unchangedSince != 0 && m.msgs[i].modseq > unchangedSince {
				failed = append(failed, uid)
				continue
			}
			ok, err := m.renameFlags(uid, op, letters, others)
			if err != nil {
				return err
			}
			if ok {
				done = append(done, uid)
				own.add(uid, Changed)
			}
		}
		return m.appendLog(l.Validity, m.unrecordedRecs())
	})
	for _, uid := range done {
		if i, ok := m.find(uid); ok {
			changed = append(changed, m.info(&m.msgs[i]))
		}
	}
	return changed, failed, err
}

// renameFlags renames the file of uid to its letters after op, and
// reports whether they changed. When the file is gone it rescans and
// tries once more; a message still without a file is left to the next
// refresh, which records its expunge.
func (m *Mailbox) renameFlags(uid uint32, op FlagOp, letters string, ch *changeSet) (bool, error) {
	for try := 0; try < 2; try++ {
		i, ok := m.find(uid)
		if !ok {
			return false, nil
		}
		e := &m.msgs[i]
		next := intern(applyFlags(e.letters, op, letters, &m.keywords))
		if next == e.letters && (!e.inNew || next == "") {
			return false, nil
		}
		n := Name{Base: e.base, Flags: next}
		if e.more != nil {
			n.Extra = e.more.extra
		}
		err := os.Rename(e.path(m.dir), filepath.Join(m.dir, "cur", n.File()))
		if err == nil {
			e.letters, e.inNew = next, false
			return true, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
		files, err := scanFiles(m.dir)
		if err != nil {
			return false, err
		}
		m.applyScan(files, ch)
	}
	return false, nil
}

// Remove deletes the messages among uids (whatever their flags: the
// IMAP adapter passes those with \Deleted) and returns the UIDs removed.
// Every Watcher but origin is told. The expunge gets a mod-sequence in
// ModSeqFile, for VANISHED (EARLIER) (RFC 7162 section 3.2.5.1).
func (m *Mailbox) Remove(ctx context.Context, origin *Watcher, uids []uint32) ([]uint32, error) {
	if err := m.begin(ctx); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	others, own := newChangeSet(), newChangeSet()
	defer func() { m.deliver(nil, others); m.deliver(origin, own) }()
	var removed []uint32
	err := m.locked(ctx, others, func(l *UIDList) error {
		var recs []modRec
		for _, uid := range uids {
			ok, err := m.removeFile(uid, others)
			if err != nil {
				return err
			}
			if ok {
				m.dropEntry(uid)
				removed = append(removed, uid)
				own.add(uid, Removed)
				recs = append(recs, modRec{kind: 'X', uid: uid})
			}
		}
		return m.appendLog(l.Validity, append(recs, m.unrecordedRecs()...))
	})
	return removed, err
}

// removeFile removes the file of uid, looking again once when another
// process renamed it meanwhile.
func (m *Mailbox) removeFile(uid uint32, ch *changeSet) (bool, error) {
	for try := 0; try < 2; try++ {
		i, ok := m.find(uid)
		if !ok {
			return false, nil
		}
		err := os.Remove(m.msgs[i].path(m.dir))
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
		files, err := scanFiles(m.dir)
		if err != nil {
			return false, err
		}
		m.applyScan(files, ch)
	}
	return false, nil
}
