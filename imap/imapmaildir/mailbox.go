package imapmaildir

import (
	"context"
	"slices"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// selected is one session's selection of a folder: the imap.Mailbox
// (and imap.MoveMailbox) the server calls. Its Watcher collects what
// others change; what the session changes itself it is not told again
// (the Watcher is the origin of its SetFlags, Remove and Move), as
// imap.Mailbox requires.
type selected struct {
	s  *session
	mb *maildir.Mailbox
	w  *maildir.Watcher
}

var _ imap.MoveMailbox = (*selected)(nil)

// Messages implements imap.Mailbox: the messages among uids that still
// exist, with their flags as they are now (a Lookup, which first brings
// the index up to date with the disk).
func (m *selected) Messages(ctx context.Context, uids []uint32) ([]imap.Message, error) {
	infos, err := m.mb.Lookup(ctx, uids)
	if err != nil {
		return nil, responseOf(err, imap.CodeNonExistent)
	}
	out := make([]imap.Message, len(infos))
	for i := range infos {
		out[i] = &storedMessage{mb: m.mb, info: infos[i]}
	}
	return out, nil
}

// Store implements imap.Mailbox (RFC 3501 section 6.4.6). The server
// answers a FETCH for every message it names, changed or not, so the
// messages SetFlags left as they were are looked up; one that is gone
// is left out, which the server reports as [EXPUNGEISSUED]. A keyword
// past the 26 letters of the folder answers NO [LIMIT].
func (m *selected) Store(ctx context.Context, uids []uint32, op imap.StoreFlagsOp, flags []imap.Flag) ([]imap.FlagUpdate, error) {
	changed, _, err := m.mb.SetFlags(ctx, m.w, uids, flagOp(op), storeFlags(flags), 0)
	if err != nil {
		return nil, responseOf(err, imap.CodeNonExistent)
	}
	byUID := make(map[uint32][]imap.Flag, len(changed))
	for _, info := range changed {
		byUID[info.UID] = imapFlags(info.Flags)
	}
	var rest []uint32
	for _, uid := range uids {
		if _, ok := byUID[uid]; !ok {
			rest = append(rest, uid)
		}
	}
	if len(rest) > 0 {
		infos, err := m.mb.Lookup(ctx, rest)
		if err != nil {
			return nil, responseOf(err, imap.CodeNonExistent)
		}
		for _, info := range infos {
			byUID[info.UID] = imapFlags(info.Flags)
		}
	}
	out := make([]imap.FlagUpdate, 0, len(byUID))
	for _, uid := range uids {
		if f, ok := byUID[uid]; ok {
			out = append(out, imap.FlagUpdate{UID: uid, Flags: f})
		}
	}
	return out, nil
}

// Expunge implements imap.Mailbox (RFC 3501 section 6.4.3, RFC 4315 UID
// EXPUNGE): the messages with \Deleted, among uids when uids is not nil,
// are removed; the session's own Watcher is not told.
func (m *selected) Expunge(ctx context.Context, uids []uint32) ([]uint32, error) {
	var infos []maildir.Info
	var err error
	if uids == nil {
		infos, err = m.mb.Messages(ctx)
	} else {
		infos, err = m.mb.Lookup(ctx, uids)
	}
	if err != nil {
		return nil, responseOf(err, imap.CodeNonExistent)
	}
	var deleted []uint32
	for _, info := range infos {
		if hasFlag(info.Flags, imap.FlagDeleted) {
			deleted = append(deleted, info.UID)
		}
	}
	if len(deleted) == 0 {
		return nil, nil
	}
	removed, err := m.mb.Remove(ctx, m.w, deleted)
	if err != nil {
		return nil, responseOf(err, imap.CodeNonExistent)
	}
	slices.Sort(removed)
	return removed, nil
}

// Copy implements imap.Mailbox (RFC 3501 section 6.4.7, RFC 4315
// COPYUID); a missing destination answers NO [TRYCREATE].
func (m *selected) Copy(ctx context.Context, uids []uint32, dest string) (uint32, []uint32, error) {
	dst, err := m.s.mailbox(ctx, dest, imap.CodeTryCreate)
	if err != nil {
		return 0, nil, err
	}
	validity, newUIDs, err := m.mb.Copy(ctx, uids, dst)
	if err != nil {
		return 0, nil, responseOf(err, imap.CodeTryCreate)
	}
	return validity, newUIDs, nil
}

// Move implements imap.MoveMailbox (RFC 6851): the Store copies, then
// removes the sources, so a crash leaves a message in both folders,
// never in neither. The server sends this session's EXPUNGEs itself.
func (m *selected) Move(ctx context.Context, uids []uint32, dest string) (uint32, []uint32, error) {
	dst, err := m.s.mailbox(ctx, dest, imap.CodeTryCreate)
	if err != nil {
		return 0, nil, err
	}
	validity, newUIDs, err := m.mb.Move(ctx, m.w, uids, dst)
	if err != nil {
		return 0, nil, responseOf(err, imap.CodeTryCreate)
	}
	return validity, newUIDs, nil
}

// Poll implements imap.Mailbox: the Watcher's changes, oldest first, as
// the server's updates (RFC 3501 sections 7.3.1, 7.4.1 and 7.4.2). The
// server decides when each may be sent.
func (m *selected) Poll(context.Context) ([]imap.Update, error) {
	changes := m.w.Changes()
	out := make([]imap.Update, 0, len(changes))
	for _, c := range changes {
		switch c.Kind {
		case maildir.Added:
			out = append(out, imap.Update{Type: imap.UpdateNew, UID: c.UID, Flags: imapFlags(c.Flags)})
		case maildir.Removed:
			out = append(out, imap.Update{Type: imap.UpdateExpunge, UID: c.UID})
		case maildir.Changed:
			out = append(out, imap.Update{Type: imap.UpdateFlags, UID: c.UID, Flags: imapFlags(c.Flags)})
		}
	}
	return out, nil
}

// Changed implements imap.Mailbox: the Watcher's notification, which
// wakes an IDLE session (RFC 2177) for a change made in this process at
// once and for one made by another process within the Store's
// PollInterval.
func (m *selected) Changed() <-chan struct{} { return m.w.Notify() }

// Close implements imap.Mailbox: the watch ends with the selection.
func (m *selected) Close(context.Context) error { return m.w.Close() }
