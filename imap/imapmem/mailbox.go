package imapmem

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message"
)

// mailbox is one mailbox; every field is guarded by Backend.mu.
type mailbox struct {
	name        string
	uidValidity uint32
	uidNext     uint32
	msgs        []*msg // ascending UIDs
	specialUse  imap.MailboxAttr
	subscribed  bool
	noSelect    bool
	keywords    []imap.Flag // keywords ever used, announced in FLAGS
	handles     []*handle   // sessions that have it selected, oldest first
}

// msg is one stored message. data and st never change once stored, so
// they are shared with copies and with the server without locking.
type msg struct {
	uid   uint32
	flags []imap.Flag
	date  time.Time
	data  []byte
	st    *structure
}

func (m *msg) copy() *msg {
	return &msg{flags: slices.Clone(m.flags), date: m.date, data: m.data, st: m.st}
}

// structure is a message's MIME structure, parsed the first time FETCH or
// SEARCH needs it rather than at APPEND, so storing stays a copy; copies of
// the message share it. A message over the message package's parsing
// limits gets a truncated structure (imap.ParseStructure), cached like any
// other, so it costs one parse however often it is fetched or searched.
type structure struct {
	once   sync.Once
	st     *message.Structure
	parses int // times parsed, for tests
}

// get parses data once. Parsing bytes in memory cannot fail (only I/O
// errors are errors), but if it did nil would make the server parse
// again and report the error.
func (s *structure) get(data []byte) *message.Structure {
	s.once.Do(func() {
		s.parses++
		if st, err := imap.ParseStructure(bytes.NewReader(data), int64(len(data))); err == nil {
			s.st = st
		}
	})
	return s.st
}

// learn records keywords so FLAGS can announce them.
func (mb *mailbox) learn(flags []imap.Flag) {
	for _, f := range flags {
		if len(f) > 0 && f[0] != '\\' && !containsFlag(mb.keywords, f) {
			mb.keywords = append(mb.keywords, f)
		}
	}
}

// find returns the index of uid in mb.msgs.
func (mb *mailbox) find(uid uint32) (int, bool) {
	return slices.BinarySearchFunc(mb.msgs, uid, func(m *msg, uid uint32) int {
		return int(int64(m.uid) - int64(uid))
	})
}

// expungeAll removes every message and tells the sessions.
func (mb *mailbox) expungeAll() {
	for _, m := range mb.msgs {
		for _, h := range mb.handles {
			h.push(imap.Update{Type: imap.UpdateExpunge, UID: m.uid})
		}
	}
	mb.msgs = nil
}

// closeAll detaches the sessions of a mailbox that is renamed away; they
// see it empty.
func (mb *mailbox) closeAll() {
	mb.expungeAll()
	mb.handles = nil
}

// handle is one session's selection of a mailbox: the imap.Mailbox the
// server calls. Its queue holds the changes others made.
type handle struct {
	b        *Backend
	u        *user
	mb       *mailbox
	readOnly bool
	queue    []imap.Update
	changed  chan struct{}
}

// push queues an update and wakes an IDLE session; the caller holds b.mu.
func (h *handle) push(u imap.Update) {
	h.queue = append(h.queue, u)
	select {
	case h.changed <- struct{}{}:
	default:
	}
}

// broadcast queues u for every session of the mailbox but h.
func (h *handle) broadcast(u imap.Update) {
	for _, o := range h.mb.handles {
		if o != h {
			o.push(u)
		}
	}
}

// view is a message as the server sees it: immutable parts shared, flags
// copied under the lock.
type view struct {
	m     *msg
	flags []imap.Flag
}

func (v *view) UID() uint32                   { return v.m.uid }
func (v *view) Flags() []imap.Flag            { return v.flags }
func (v *view) InternalDate() time.Time       { return v.m.date }
func (v *view) Size() int64                   { return int64(len(v.m.data)) }
func (v *view) Structure() *message.Structure { return v.m.st.get(v.m.data) }
func (v *view) Open(context.Context) (imap.MessageReader, error) {
	return nopCloser{bytes.NewReader(v.m.data)}, nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func (h *handle) Messages(_ context.Context, uids []uint32) ([]imap.Message, error) {
	h.b.mu.Lock()
	defer h.b.mu.Unlock()
	views := make([]view, 0, len(uids))
	out := make([]imap.Message, 0, len(uids))
	for _, uid := range uids {
		if i, ok := h.mb.find(uid); ok {
			m := h.mb.msgs[i]
			views = append(views, view{m: m, flags: slices.Clone(m.flags)})
			out = append(out, &views[len(views)-1])
		}
	}
	return out, nil
}

func (h *handle) Store(_ context.Context, uids []uint32, op imap.StoreFlagsOp, flags []imap.Flag) ([]imap.FlagUpdate, error) {
	flags = normalize(flags)
	h.b.mu.Lock()
	defer h.b.mu.Unlock()
	h.mb.learn(flags)
	var out []imap.FlagUpdate
	for _, uid := range uids {
		i, ok := h.mb.find(uid)
		if !ok {
			continue
		}
		m := h.mb.msgs[i]
		switch op {
		case imap.StoreFlagsSet:
			m.flags = slices.Clone(flags)
		case imap.StoreFlagsAdd:
			for _, f := range flags {
				if !containsFlag(m.flags, f) {
					m.flags = append(m.flags, f)
				}
			}
		case imap.StoreFlagsDel:
			m.flags = slices.DeleteFunc(m.flags, func(f imap.Flag) bool { return containsFlag(flags, f) })
		}
		out = append(out, imap.FlagUpdate{UID: uid, Flags: slices.Clone(m.flags)})
		h.broadcast(imap.Update{Type: imap.UpdateFlags, UID: uid, Flags: slices.Clone(m.flags)})
	}
	return out, nil
}

func (h *handle) Expunge(_ context.Context, uids []uint32) ([]uint32, error) {
	h.b.mu.Lock()
	defer h.b.mu.Unlock()
	var gone []uint32
	h.mb.msgs = slices.DeleteFunc(h.mb.msgs, func(m *msg) bool {
		if !containsFlag(m.flags, imap.FlagDeleted) {
			return false
		}
		if uids != nil {
			if _, ok := slices.BinarySearch(uids, m.uid); !ok {
				return false
			}
		}
		gone = append(gone, m.uid)
		h.broadcast(imap.Update{Type: imap.UpdateExpunge, UID: m.uid})
		return true
	})
	if len(gone) > 0 {
		h.b.notify()
	}
	return gone, nil
}

func (h *handle) Copy(_ context.Context, uids []uint32, dest string) (uint32, []uint32, error) {
	h.b.mu.Lock()
	defer h.b.mu.Unlock()
	return h.copyLocked(uids, dest)
}

func (h *handle) copyLocked(uids []uint32, dest string) (uint32, []uint32, error) {
	dst, err := h.u.selectable(dest)
	if err != nil {
		return 0, nil, err
	}
	var src []*msg
	for _, uid := range uids {
		if i, ok := h.mb.find(uid); ok {
			src = append(src, h.mb.msgs[i])
		}
	}
	newUIDs := make([]uint32, 0, len(src))
	for _, m := range src {
		newUIDs = append(newUIDs, h.b.add(dst, m.copy()))
	}
	return dst.uidValidity, newUIDs, nil
}

// Move implements imap.MoveMailbox (RFC 6851): copy and expunge under one
// lock, so no session sees both or neither.
func (h *handle) Move(_ context.Context, uids []uint32, dest string) (uint32, []uint32, error) {
	h.b.mu.Lock()
	defer h.b.mu.Unlock()
	validity, newUIDs, err := h.copyLocked(uids, dest)
	if err != nil {
		return 0, nil, err
	}
	h.mb.msgs = slices.DeleteFunc(h.mb.msgs, func(m *msg) bool {
		if _, ok := slices.BinarySearch(uids, m.uid); !ok {
			return false
		}
		h.broadcast(imap.Update{Type: imap.UpdateExpunge, UID: m.uid})
		return true
	})
	return validity, newUIDs, nil
}

func (h *handle) Poll(context.Context) ([]imap.Update, error) {
	h.b.mu.Lock()
	defer h.b.mu.Unlock()
	q := h.queue
	h.queue = nil
	return q, nil
}

func (h *handle) Changed() <-chan struct{} { return h.changed }

// Close ends the selection.
func (h *handle) Close(context.Context) error {
	h.b.mu.Lock()
	defer h.b.mu.Unlock()
	h.mb.handles = slices.DeleteFunc(h.mb.handles, func(o *handle) bool { return o == h })
	return nil
}
