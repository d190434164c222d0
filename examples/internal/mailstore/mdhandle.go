package mailstore

import (
	"bytes"
	"context"
	"io"
	"slices"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// mdHandle is one session's selection of a Maildir folder: the
// imap.Mailbox the server calls. Its queue holds what others changed.
type mdHandle struct {
	s        *Maildir
	user     string
	f        *mdFolder
	readOnly bool
	queue    []imap.Update
	changed  chan struct{}
}

// push queues an update and wakes an IDLE session; the caller holds s.mu.
func (h *mdHandle) push(u imap.Update) {
	h.queue = append(h.queue, u)
	select {
	case h.changed <- struct{}{}:
	default:
	}
}

// mdView is a message as the server sees it, copied under the lock.
type mdView struct {
	h     *mdHandle
	uid   uint32
	flags []imap.Flag
	date  time.Time
	size  int64
	path  string
}

func (v *mdView) UID() uint32             { return v.uid }
func (v *mdView) Flags() []imap.Flag      { return v.flags }
func (v *mdView) InternalDate() time.Time { return v.date }
func (v *mdView) Size() int64             { return v.size }

// Open reads the file and serves it with CRLF line ends. The file is
// opened under the store's lock, where the index's path is current
// (withFile: a file another program renamed is found again, one that is
// gone is errGone, EXPUNGEISSUED to the session), and read after it:
// an open file survives a rename or an unlink.
func (v *mdView) Open(context.Context) (imap.MessageReader, error) {
	v.h.s.mu.Lock()
	file, err := v.h.f.openFile(v.uid)
	v.h.s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		return nil, err
	}
	return nopCloser{bytes.NewReader(maildir.ToCRLF(data))}, nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func (h *mdHandle) Messages(_ context.Context, uids []uint32) ([]imap.Message, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	views := make([]mdView, 0, len(uids))
	out := make([]imap.Message, 0, len(uids))
	for _, uid := range uids {
		if m := h.f.find(uid); m != nil {
			views = append(views, mdView{h: h, uid: uid, flags: slices.Clone(m.flags), date: m.date, size: m.size, path: m.path})
			out = append(out, &views[len(views)-1])
		}
	}
	return out, nil
}

// Store changes flags by renaming the files (RFC 3501 section 6.4.6).
func (h *mdHandle) Store(_ context.Context, uids []uint32, op imap.StoreFlagsOp, flags []imap.Flag) ([]imap.FlagUpdate, error) {
	flags = normalizeFlags(flags)
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	var out []imap.FlagUpdate
	for _, uid := range uids {
		m := h.f.find(uid)
		if m == nil {
			continue
		}
		next := slices.Clone(m.flags)
		switch op {
		case imap.StoreFlagsSet:
			next = slices.Clone(flags)
		case imap.StoreFlagsAdd:
			for _, f := range flags {
				if !hasFlag(next, f) {
					next = append(next, f)
				}
			}
		case imap.StoreFlagsDel:
			next = slices.DeleteFunc(next, func(f imap.Flag) bool { return hasFlag(flags, f) })
		}
		if err := h.f.setFlags(m, next); isGone(err) {
			continue // expunged by another program meanwhile
		} else if err != nil {
			return out, err
		}
		out = append(out, imap.FlagUpdate{UID: uid, Flags: slices.Clone(m.flags)})
		h.f.broadcast(h, imap.Update{Type: imap.UpdateFlags, UID: uid, Flags: slices.Clone(m.flags)})
	}
	return out, nil
}

// Expunge removes the files of \Deleted messages (RFC 3501 section
// 6.4.3), only those among uids when uids is not nil (RFC 4315).
func (h *mdHandle) Expunge(_ context.Context, uids []uint32) ([]uint32, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	var gone []*mdMsg
	for _, m := range h.f.msgs {
		if !hasFlag(m.flags, imap.FlagDeleted) {
			continue
		}
		if _, ok := slices.BinarySearch(uids, m.uid); uids != nil && !ok {
			continue
		}
		gone = append(gone, m)
	}
	return h.f.remove(h, gone)
}

// Copy links the files into the destination under new names (RFC 3501
// section 6.4.7), as Dovecot does, so no bytes are copied.
func (h *mdHandle) Copy(_ context.Context, uids []uint32, dest string) (uint32, []uint32, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	return h.copyLocked(uids, dest)
}

func (h *mdHandle) copyLocked(uids []uint32, dest string) (uint32, []uint32, error) {
	df, err := h.s.folder(h.user, dest)
	if err != nil {
		return 0, nil, err
	}
	var newUIDs []uint32
	for _, uid := range uids {
		m := h.f.find(uid)
		if m == nil {
			continue
		}
		n, path, err := h.f.link(m, df.dir)
		if isGone(err) {
			continue // expunged by another program meanwhile
		} else if err != nil {
			return 0, nil, err
		}
		c, err := df.adopt(maildir.Entry{Name: n, Path: path, ModTime: m.date}, true)
		if err != nil {
			return 0, nil, err
		}
		c.flags, c.date = slices.Clone(m.flags), m.date
		newUIDs = append(newUIDs, c.uid)
	}
	return df.list.Validity, newUIDs, nil
}

// Move implements imap.MoveMailbox (RFC 6851): copy and expunge under
// one lock.
func (h *mdHandle) Move(_ context.Context, uids []uint32, dest string) (uint32, []uint32, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	validity, newUIDs, err := h.copyLocked(uids, dest)
	if err != nil {
		return 0, nil, err
	}
	var gone []*mdMsg
	for _, uid := range uids {
		if m := h.f.find(uid); m != nil {
			gone = append(gone, m)
		}
	}
	_, err = h.f.remove(h, gone)
	return validity, newUIDs, err
}

// Poll picks up what other programs did to the directories, then
// returns the queued changes.
func (h *mdHandle) Poll(context.Context) ([]imap.Update, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	if err := h.f.syncIfChanged(); err != nil {
		return nil, err
	}
	q := h.queue
	h.queue = nil
	return q, nil
}

func (h *mdHandle) Changed() <-chan struct{} { return h.changed }

// Close ends the selection.
func (h *mdHandle) Close(context.Context) error {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	h.f.handles = slices.DeleteFunc(h.f.handles, func(o *mdHandle) bool { return o == h })
	if len(h.f.handles) == 0 {
		h.f.stopWatch()
	}
	return nil
}
