package maildir

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// A Mailbox is one folder of a Store. Its methods bring the in-memory
// index up to date with the disk before they answer (a readdir of new/
// and cur/ when their modification time changed, a read of what was
// appended to dovecot-uidlist and ModSeqFile), so every process sees
// the same UIDs, flags and mod-sequences.
type Mailbox struct {
	store *Store
	name  string
	dir   string

	mu       sync.Mutex
	vanished bool        // deleted or renamed away: ErrNoMailbox from now on
	gone     atomic.Bool // vanished, for readers without m.mu
	validity uint32
	next     uint32
	msgs     []entry           // ascending by UID
	byBase   map[string]uint32 // every record of dovecot-uidlist
	pop3     map[uint32]string // the P fields of dovecot-uidlist
	keywords Keywords
	log      modLog
	pending  map[uint32]modRec // ModSeqFile records of messages not scanned yet
	expunged map[uint32]uint64 // UIDs expunged, with the mod-sequence of the expunge
	seen     stamps            // what the last refresh saw
	rescan   bool              // a stamp was too young to trust: look again
	cache    *cache

	watchers map[*Watcher]struct{}
	stopPoll chan struct{} // closed to stop the poller; nil when none runs
}

// entry is what memory holds of one message: small, since a folder of
// 100,000 messages holds 100,000 of them.
type entry struct {
	uid      uint32
	inNew    bool
	letters  string // info letters of the file now (interned)
	logged   string // info letters as ModSeqFile last recorded them
	base     string // shared with the byBase key
	modseq   uint64 // 0: not recorded in ModSeqFile yet
	date     int64  // internal date, Unix nanoseconds; 0 unknown
	size     int64  // wire size; -1 unknown
	cacheOff int64  // offset of its CacheFile record with a structure; -1 none
	more     *entryMore
}

// entryMore holds what few messages have.
type entryMore struct {
	extra string // info after the flags (",..."), kept on renames
	pop3  string // the P field of dovecot-uidlist
}

func newMailbox(s *Store, name, dir string) *Mailbox {
	return &Mailbox{
		store: s, name: name, dir: dir,
		byBase:   map[string]uint32{},
		pending:  map[uint32]modRec{},
		expunged: map[uint32]uint64{},
		log:      modLog{path: filepath.Join(dir, ModSeqFile)},
		cache:    newCache(filepath.Join(dir, CacheFile), s.opts.CacheSize, s.log),
		watchers: map[*Watcher]struct{}{},
	}
}

// Name is the folder's name as Store.Mailbox took it.
func (m *Mailbox) Name() string { return m.name }

// file is the name of the entry's file in new/ or cur/.
func (e *entry) file() string {
	if e.inNew {
		return e.base
	}
	n := Name{Base: e.base, Flags: e.letters}
	if e.more != nil {
		n.Extra = e.more.extra
	}
	return n.File()
}

// path is where the entry's file lies in dir.
func (e *entry) path(dir string) string {
	if e.inNew {
		return filepath.Join(dir, "new", e.base)
	}
	return filepath.Join(dir, "cur", e.file())
}

// find returns the index of uid in m.msgs.
func (m *Mailbox) find(uid uint32) (int, bool) {
	return slices.BinarySearchFunc(m.msgs, uid, func(e entry, u uint32) int {
		return cmpUID(e.uid, u)
	})
}

func cmpUID(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// insert adds e in UID order.
func (m *Mailbox) insert(e entry) {
	i, found := m.find(e.uid)
	if found {
		m.msgs[i] = e
		return
	}
	m.msgs = slices.Insert(m.msgs, i, e)
}

// info is the entry as callers see it.
func (m *Mailbox) info(e *entry) Info {
	in := Info{UID: e.uid, Flags: flagNames(e.letters, &m.keywords), ModSeq: e.modseq,
		InternalDate: time.Unix(0, e.date), Size: e.size}
	if e.more != nil {
		in.POP3UIDL = e.more.pop3
	}
	return in
}

// begin locks the Mailbox and brings it up to date; the caller unlocks.
func (m *Mailbox) begin(ctx context.Context) error {
	m.mu.Lock()
	if err := m.usable(ctx); err != nil {
		m.mu.Unlock()
		return err
	}
	if err := m.refresh(ctx); err != nil {
		m.mu.Unlock()
		return err
	}
	return nil
}

// usable reports why the Mailbox cannot serve a call.
func (m *Mailbox) usable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if m.vanished {
		return ErrNoMailbox
	}
	m.store.mu.Lock()
	closed := m.store.closed
	m.store.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return nil
}
