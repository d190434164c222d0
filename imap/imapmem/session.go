package imapmem

import (
	"context"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/mailwire/mailwire/imap"
)

// session is one authenticated IMAP session's view of a user: the
// imap.User the server calls.
type session struct {
	b *Backend
	u *user
}

func notFound() error {
	return &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeNonExistent, Text: "No such mailbox"}
}

func (s *session) Username() string { return s.u.name }

func (s *session) ListMailboxes(context.Context) ([]imap.MailboxInfo, error) {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	var out []imap.MailboxInfo
	for _, name := range s.u.sortedNames() {
		mb := s.u.mailboxes[name]
		info := imap.MailboxInfo{Name: name, Subscribed: mb.subscribed}
		if mb.noSelect {
			info.Attrs = append(info.Attrs, imap.AttrNoSelect)
		}
		if mb.specialUse != "" {
			info.Attrs = append(info.Attrs, mb.specialUse)
		}
		out = append(out, info)
	}
	return out, nil
}

func (s *session) CreateMailbox(_ context.Context, name string, specialUse imap.MailboxAttr) error {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	return s.b.create(s.u, name, specialUse)
}

// DeleteMailbox follows RFC 3501 section 6.3.4: a mailbox with inferiors
// loses its messages and becomes \Noselect; deleting a \Noselect mailbox
// that has inferiors fails.
func (s *session) DeleteMailbox(_ context.Context, name string) error {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	mb, ok := s.u.mailboxes[name]
	if !ok {
		return notFound()
	}
	prefix := name + string(imap.Delimiter)
	for other := range s.u.mailboxes {
		if strings.HasPrefix(other, prefix) {
			if mb.noSelect {
				return &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeInUse, Text: "Mailbox has inferiors"}
			}
			mb.expungeAll()
			mb.noSelect = true
			return nil
		}
	}
	mb.expungeAll()
	delete(s.u.mailboxes, name)
	return nil
}

// RenameMailbox follows RFC 3501 section 6.3.5: inferiors move along, and
// renaming INBOX moves its messages into a new mailbox, leaving INBOX
// empty.
func (s *session) RenameMailbox(_ context.Context, from, to string) error {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	src, ok := s.u.mailboxes[from]
	if !ok {
		return notFound()
	}
	if _, exists := s.u.mailboxes[to]; exists {
		return &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeAlreadyExists, Text: "Target mailbox exists"}
	}
	if err := s.b.create(s.u, to, src.specialUse); err != nil {
		return err
	}
	dst := s.u.mailboxes[to]
	if from == imap.Inbox {
		for _, m := range src.msgs {
			s.b.add(dst, m.copy())
		}
		src.expungeAll()
		return nil
	}
	*dst = mailbox{name: to, uidValidity: dst.uidValidity, uidNext: src.uidNext, msgs: src.msgs,
		specialUse: src.specialUse, subscribed: src.subscribed, noSelect: src.noSelect, keywords: src.keywords}
	src.closeAll()
	delete(s.u.mailboxes, from)
	prefix := from + string(imap.Delimiter)
	for name, mb := range s.u.mailboxes {
		if rest, ok := strings.CutPrefix(name, prefix); ok {
			delete(s.u.mailboxes, name)
			mb.name = to + string(imap.Delimiter) + rest
			s.u.mailboxes[mb.name] = mb
		}
	}
	return nil
}

func (s *session) SetSubscribed(_ context.Context, name string, subscribed bool) error {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	mb, ok := s.u.mailboxes[name]
	if !ok {
		if !subscribed {
			return nil
		}
		return notFound()
	}
	mb.subscribed = subscribed
	return nil
}

func (s *session) Status(_ context.Context, name string) (*imap.MailboxStatus, error) {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	mb, ok := s.u.mailboxes[name]
	if !ok || mb.noSelect {
		return nil, notFound()
	}
	st := &imap.MailboxStatus{Messages: uint32(len(mb.msgs)), UIDNext: mb.uidNext, UIDValidity: mb.uidValidity}
	for _, m := range mb.msgs {
		if !containsFlag(m.flags, imap.FlagSeen) {
			st.Unseen++
		}
		if containsFlag(m.flags, imap.FlagDeleted) {
			st.Deleted++
		}
		st.Size += int64(len(m.data))
	}
	return st, nil
}

func (s *session) Append(_ context.Context, name string, flags []imap.Flag, date time.Time, r io.Reader, size int64) (uint32, uint32, error) {
	data := make([]byte, size)
	if _, err := io.ReadFull(r, data); err != nil {
		return 0, 0, err
	}
	m := newMessage(data, flags, date)
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	mb, err := s.u.selectable(name)
	if err != nil {
		return 0, 0, err
	}
	uid := s.b.add(mb, m)
	return mb.uidValidity, uid, nil
}

func (s *session) Open(_ context.Context, name string, readOnly bool) (imap.Mailbox, *imap.MailboxView, error) {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	mb, ok := s.u.mailboxes[name]
	if !ok || mb.noSelect {
		return nil, nil, notFound()
	}
	h := &handle{b: s.b, u: s.u, mb: mb, readOnly: readOnly, changed: make(chan struct{}, 1)}
	mb.handles = append(mb.handles, h)
	view := &imap.MailboxView{
		UIDValidity:    mb.uidValidity,
		UIDNext:        mb.uidNext,
		Flags:          mb.definedFlags(),
		PermanentFlags: append(mb.definedFlags(), imap.FlagWildcard),
		UIDs:           make([]uint32, len(mb.msgs)),
	}
	for i, m := range mb.msgs {
		view.UIDs[i] = m.uid
		if view.FirstUnseen == 0 && !containsFlag(m.flags, imap.FlagSeen) {
			view.FirstUnseen = m.uid
		}
	}
	return h, view, nil
}

func (s *session) Logout(context.Context) error { return nil }

// systemFlags are the flags of RFC 3501 section 2.3.2 every mailbox
// defines.
var systemFlags = []imap.Flag{imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagSeen, imap.FlagDraft}

// definedFlags lists the system flags and the keywords in use.
func (mb *mailbox) definedFlags() []imap.Flag {
	return append(slices.Clone(systemFlags), mb.keywords...)
}
