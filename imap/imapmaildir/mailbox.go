package imapmaildir

import (
	"context"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// selected is one session's selection of a folder: the imap.Mailbox
// (and imap.MoveMailbox) the server calls, from the session's
// goroutine. Its Watcher collects what others change; what this session
// changes is made with the Watcher as origin, so that it is returned to
// the session and not reported back (RFC 3501 section 7.4.1: the server,
// which owns the sequence numbers, reports each change once).
type selected struct {
	s        *session
	mb       *maildir.Mailbox
	w        *maildir.Watcher
	readOnly bool
	// changed is what Changed returns: a value whenever the Watcher
	// notifies, and one more when its channel closes (the folder was
	// deleted or renamed, or the Store closed), after which it stays
	// quiet, where the Watcher's closed channel would stay ready.
	changed chan struct{}
}

// newSelected starts the selection of mb watched by w, and the goroutine
// that forwards w's notifications to Changed until w is closed.
func newSelected(s *session, mb *maildir.Mailbox, w *maildir.Watcher, readOnly bool) *selected {
	m := &selected{s: s, mb: mb, w: w, readOnly: readOnly, changed: make(chan struct{}, 1)}
	go m.forward()
	return m
}

// forward signals changed for each notification of the Watcher and
// once more when its channel closes.
func (m *selected) forward() {
	for range m.w.Notify() {
		m.signal()
	}
	m.signal()
}

// signal makes changed ready, unless it already is.
func (m *selected) signal() {
	select {
	case m.changed <- struct{}{}:
	default:
	}
}

var _ imap.MoveMailbox = (*selected)(nil)

// Messages implements imap.Mailbox: the messages among uids that still
// exist, with their flags as they are now.
func (m *selected) Messages(ctx context.Context, uids []uint32) ([]imap.Message, error) {
	infos, err := m.mb.Lookup(ctx, uids)
	if err != nil {
		return nil, imapError(err, imap.CodeNonExistent)
	}
	msgs := make([]storedMessage, len(infos))
	out := make([]imap.Message, len(infos))
	for i, info := range infos {
		msgs[i] = storedMessage{mb: m.mb, info: info}
		out[i] = &msgs[i]
	}
	return out, nil
}

// storeOps are the Store's FlagOps of STORE FLAGS, +FLAGS and -FLAGS
// (RFC 3501 section 6.4.6).
var storeOps = map[imap.StoreFlagsOp]maildir.FlagOp{
	imap.StoreFlagsSet: maildir.FlagsReplace,
	imap.StoreFlagsAdd: maildir.FlagsAdd,
	imap.StoreFlagsDel: maildir.FlagsRemove,
}

// Store implements imap.Mailbox (RFC 3501 section 6.4.6). It returns the
// flags of every message among uids that still exists, changed or not,
// since the server answers STORE with each one's FETCH FLAGS and counts
// a missing one as expunged (RFC 2180 section 4.2.1). A keyword beyond
// the 26 a Maildir folder holds answers NO [LIMIT].
func (m *selected) Store(ctx context.Context, uids []uint32, op imap.StoreFlagsOp, flags []imap.Flag) ([]imap.FlagUpdate, error) {
	if _, _, err := m.mb.SetFlags(ctx, m.w, uids, storeOps[op], toStrings(flags), 0); err != nil {
		return nil, imapError(err, imap.CodeNonExistent)
	}
	infos, err := m.mb.Lookup(ctx, uids)
	if err != nil {
		return nil, imapError(err, imap.CodeNonExistent)
	}
	out := make([]imap.FlagUpdate, len(infos))
	for i, info := range infos {
		out[i] = imap.FlagUpdate{UID: info.UID, Flags: toFlags(info.Flags)}
	}
	return out, nil
}

// Expunge implements imap.Mailbox (RFC 3501 section 6.4.3, RFC 4315 UID
// EXPUNGE): it removes the messages with \Deleted, among uids when uids
// is not nil, and returns the UIDs the Store removed.
func (m *selected) Expunge(ctx context.Context, uids []uint32) ([]uint32, error) {
	var infos []maildir.Info
	var err error
	if uids == nil {
		infos, err = m.mb.Messages(ctx)
	} else {
		infos, err = m.mb.Lookup(ctx, uids)
	}
	if err != nil {
		return nil, imapError(err, imap.CodeNonExistent)
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
	gone, err := m.mb.Remove(ctx, m.w, deleted)
	return gone, imapError(err, imap.CodeNonExistent)
}

// Copy implements imap.Mailbox (RFC 3501 section 6.4.7, RFC 4315
// COPYUID); a missing destination answers NO [TRYCREATE].
func (m *selected) Copy(ctx context.Context, uids []uint32, dest string) (uint32, []uint32, error) {
	dst, err := m.s.mailbox(ctx, dest, imap.CodeTryCreate)
	if err != nil {
		return 0, nil, err
	}
	validity, newUIDs, err := m.mb.Copy(ctx, uids, dst)
	return validity, newUIDs, imapError(err, imap.CodeTryCreate)
}

// Move implements imap.MoveMailbox (RFC 6851): the Store copies, then
// removes the sources, so a crash in between leaves a message in both
// folders, never in neither.
func (m *selected) Move(ctx context.Context, uids []uint32, dest string) (uint32, []uint32, error) {
	dst, err := m.s.mailbox(ctx, dest, imap.CodeTryCreate)
	if err != nil {
		return 0, nil, err
	}
	validity, newUIDs, err := m.mb.Move(ctx, m.w, uids, dst)
	return validity, newUIDs, imapError(err, imap.CodeTryCreate)
}

// updateTypes are the imap.UpdateTypes of the Store's ChangeKinds.
var updateTypes = map[maildir.ChangeKind]imap.UpdateType{
	maildir.Added:   imap.UpdateNew,     // EXISTS, RFC 3501 section 7.3.1
	maildir.Removed: imap.UpdateExpunge, // EXPUNGE, section 7.4.1
	maildir.Changed: imap.UpdateFlags,   // FETCH FLAGS, section 7.4.2
}

// Poll implements imap.Mailbox: the changes the Watcher collected since
// the last call, in the order the Store saw them, as they are. The
// server decides what a session may be told when (RFC 3501 section
// 7.4.1, RFC 2180 section 4).
func (m *selected) Poll(context.Context) ([]imap.Update, error) {
	changes := m.w.Changes()
	if len(changes) == 0 {
		return nil, nil
	}
	out := make([]imap.Update, 0, len(changes))
	for _, c := range changes {
		typ, ok := updateTypes[c.Kind]
		if !ok {
			continue
		}
		u := imap.Update{Type: typ, UID: c.UID}
		if typ != imap.UpdateExpunge {
			u.Flags = toFlags(c.Flags)
		}
		out = append(out, u)
	}
	return out, nil
}

// Changed implements imap.Mailbox: it wakes an IDLE session (RFC 2177)
// when another session, another process or a file dropped in new/
// changes the folder, and when the folder goes away, once.
func (m *selected) Changed() <-chan struct{} { return m.changed }

// Close implements imap.Mailbox: the session stops watching the folder.
func (m *selected) Close(context.Context) error { return m.w.Close() }
