package maildir

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mailwire/mailwire/message"
)

// Status is a folder's counts (RFC 3501 section 6.3.10, RFC 7162
// HIGHESTMODSEQ, RFC 8438 SIZE).
type Status struct {
	Messages, Unseen, Deleted uint32
	UIDNext, UIDValidity      uint32
	Size                      int64 // sum of the messages' wire sizes
	HighestModSeq             uint64
	// Keywords are the keywords defined in the folder
	// (dovecot-keywords), for IMAP's FLAGS response.
	Keywords []string
}

// Status returns the folder's counts. A folder without a
// dovecot-uidlist yet gets one, so that its UIDVALIDITY is fixed from
// the first answer on (RFC 3501 section 2.3.1.1).
func (m *Mailbox) Status(ctx context.Context) (*Status, error) {
	if err := m.begin(ctx); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	if m.validity == 0 {
		ch := newChangeSet()
		err := m.locked(ctx, ch, func(l *UIDList) error { return m.appendLog(l.Validity, nil) })
		m.deliver(nil, ch)
		if err != nil {
			return nil, err
		}
	}
	st := &Status{Messages: uint32(len(m.msgs)), UIDNext: m.next, UIDValidity: m.validity,
		HighestModSeq: m.log.highest}
	for _, e := range m.msgs {
		if strings.IndexByte(e.letters, FlagSeen) < 0 {
			st.Unseen++
		}
		if strings.IndexByte(e.letters, FlagTrashed) >= 0 {
			st.Deleted++
		}
		st.Size += max(e.size, 0)
	}
	for _, k := range m.keywords {
		if k != "" {
			st.Keywords = append(st.Keywords, k)
		}
	}
	return st, nil
}

// Info is one message of a folder.
type Info struct {
	UID uint32
	// Flags are IMAP's system flags ("\\Seen", "\\Answered",
	// "\\Flagged", "\\Deleted", "\\Draft") and keywords, from the info
	// letters of the file name and dovecot-keywords. A letter without a
	// keyword in the file is not listed (it is kept on the file).
	Flags  []string
	ModSeq uint64
	// InternalDate is the file's modification time (as Dovecot takes
	// it); Size the wire size (RFC822.SIZE).
	InternalDate time.Time
	Size         int64
	// POP3UIDL is the P field of the message's dovecot-uidlist record,
	// "" when Dovecot did not set one.
	POP3UIDL string
}

// Messages returns every message of the folder, ascending by UID.
func (m *Mailbox) Messages(ctx context.Context) ([]Info, error) {
	if err := m.begin(ctx); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	out := make([]Info, len(m.msgs))
	for i := range m.msgs {
		out[i] = m.info(&m.msgs[i])
	}
	return out, nil
}

// Lookup returns the messages among uids (ascending) that still exist.
func (m *Mailbox) Lookup(ctx context.Context, uids []uint32) ([]Info, error) {
	if err := m.begin(ctx); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	var out []Info
	for _, uid := range uids {
		if i, ok := m.find(uid); ok {
			out = append(out, m.info(&m.msgs[i]))
		}
	}
	return out, nil
}

// ChangedSince returns the messages whose mod-sequence is above modseq
// and the UIDs expunged since then, for CONDSTORE's CHANGEDSINCE and
// QRESYNC's VANISHED (EARLIER) (RFC 7162 sections 3.1.4.1 and 3.2.5.1).
// Both are ascending by UID.
func (m *Mailbox) ChangedSince(ctx context.Context, modseq uint64) (changed []Info, vanished []uint32, err error) {
	if err := m.begin(ctx); err != nil {
		return nil, nil, err
	}
	defer m.mu.Unlock()
	for i := range m.msgs {
		if m.msgs[i].modseq > modseq {
			changed = append(changed, m.info(&m.msgs[i]))
		}
	}
	for uid, ms := range m.expunged {
		if ms > modseq {
			vanished = append(vanished, uid)
		}
	}
	slices.Sort(vanished)
	return changed, vanished, nil
}

// Open returns the message's wire form for reading at any offset
// (ErrExpunged when it is gone). The caller closes it. The CRLF
// checkpoints of a message in CacheFile spare a scan of the file.
func (m *Mailbox) Open(ctx context.Context, uid uint32) (*Message, error) {
	msg, _, err := m.open(ctx, uid, true)
	return msg, err
}

// open is Open, which also returns the message's entry as it was.
func (m *Mailbox) open(ctx context.Context, uid uint32, checkpoints bool) (*Message, entry, error) {
	for try := 0; ; try++ {
		e, err := m.current(ctx, uid, try > 0)
		if err != nil {
			return nil, entry{}, err
		}
		var opts []Option
		if checkpoints && e.cacheOff >= 0 {
			if cps := m.cache.checkpointsAt(e.base, e.cacheOff); len(cps) > 0 {
				opts = append(opts, WithCheckpoints(cps))
			}
		}
		msg, err := OpenMessage(e.path(m.dir), opts...)
		if errors.Is(err, fs.ErrNotExist) && try < linkRetries {
			m.forceRescan()
			continue // renamed by another process: look again
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, entry{}, ErrExpunged
		}
		return msg, e, err
	}
}

// current returns uid's entry. A message's file changes only by a
// rename, which open follows by looking again, so reads of one message
// take the index as it is and refresh it from the disk only when uid is
// not in it or refresh is set: a FETCH of 5,000 messages would otherwise
// stat the directories 25,000 times.
func (m *Mailbox) current(ctx context.Context, uid uint32, refresh bool) (entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return entry{}, err
	}
	i, ok := m.find(uid)
	if !ok || refresh {
		if err := m.refresh(ctx); err != nil {
			return entry{}, err
		}
		i, ok = m.find(uid)
	}
	if !ok {
		return entry{}, ErrExpunged
	}
	return m.msgs[i], nil
}

// forceRescan makes the next refresh read the directories even when
// their times did not change.
func (m *Mailbox) forceRescan() {
	m.mu.Lock()
	m.rescan = true
	m.mu.Unlock()
}

// cacheOffsetAfterReload reads CacheFile's offsets again (another
// process may have compacted it) and returns the new offset of uid's
// structure record.
func (m *Mailbox) cacheOffsetAfterReload(uid uint32, base string) (int64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reloadCacheOffsets()
	i, ok := m.find(uid)
	if !ok || m.msgs[i].base != base || m.msgs[i].cacheOff < 0 {
		return 0, false
	}
	return m.msgs[i].cacheOff, true
}

// parses counts the messages parsed for Structure (tests check that a
// restart parses none).
var parses atomic.Int64

// Structure returns the message's parsed MIME structure, from memory,
// from CacheFile, or parsed once and then cached in both. The parse
// reads the wire form, as IMAP's BODYSTRUCTURE counts it.
func (m *Mailbox) Structure(ctx context.Context, uid uint32) (*message.Structure, error) {
	return m.structure(ctx, uid, true)
}

// structure is Structure; keep says whether a structure parsed now
// stays in memory (Append caches it on disk only, so that a preload of
// thousands of messages does not fill the memory with them).
func (m *Mailbox) structure(ctx context.Context, uid uint32, keep bool) (*message.Structure, error) {
	e, err := m.current(ctx, uid, false)
	if err != nil {
		return nil, err
	}
	base, off := e.base, e.cacheOff
	if st := m.cache.structure(base); st != nil {
		return st, nil
	}
	if off >= 0 {
		if st, _ := m.cache.structureAt(base, off); st != nil {
			return st, nil
		}
		if off, ok := m.cacheOffsetAfterReload(uid, base); ok {
			if st, _ := m.cache.structureAt(base, off); st != nil {
				return st, nil
			}
		}
	}
	msg, e, err := m.open(ctx, uid, false)
	if err != nil {
		return nil, err
	}
	defer msg.Close()
	parses.Add(1)
	st, err := message.ReadStructureLimits(io.NewSectionReader(msg, 0, msg.Size()), m.store.opts.StructureLimits)
	if err != nil {
		return nil, err
	}
	if off := m.cache.putStructure(&e, msg.Checkpoints(), st, keep); off >= 0 {
		m.mu.Lock()
		if i, ok := m.find(uid); ok && m.msgs[i].base == e.base {
			m.msgs[i].cacheOff = off
		}
		m.mu.Unlock()
	}
	return st, nil
}
