package imapmaildir

import (
	"context"
	"io"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// session is one authenticated session of a user: the imap.User the
// server calls, from the session's goroutine. Every session of a user
// shares the user's one Store.
type session struct {
	name  string
	store *maildir.Store
}

// Username implements imap.User.
func (s *session) Username() string { return s.name }

// ListMailboxes implements imap.User (RFC 3501 sections 6.3.8 and
// 6.3.9): the Store's folders, a parent that exists only through its
// children as \Noselect (as Dovecot lists it), the special-use attribute
// given at CREATE (RFC 6154 section 2) and the subscriptions.
func (s *session) ListMailboxes(ctx context.Context) ([]imap.MailboxInfo, error) {
	folders, err := s.store.Folders(ctx)
	if err != nil {
		return nil, imapError(err, imap.CodeNonExistent)
	}
	out := make([]imap.MailboxInfo, 0, len(folders))
	for _, f := range folders {
		name, ok := imapName(f.Name)
		if !ok {
			continue
		}
		info := imap.MailboxInfo{Name: name, Subscribed: f.Subscribed}
		if f.NoSelect {
			info.Attrs = append(info.Attrs, imap.AttrNoSelect)
		}
		if f.SpecialUse != "" {
			info.Attrs = append(info.Attrs, imap.MailboxAttr(f.SpecialUse))
		}
		out = append(out, info)
	}
	return out, nil
}

// CreateMailbox implements imap.User (RFC 3501 section 6.3.3, RFC 6154
// section 3 for specialUse). As in Dovecot's Maildir++ layout, a
// superior level is not created: it lists as \Noselect until it is.
func (s *session) CreateMailbox(ctx context.Context, name string, specialUse imap.MailboxAttr) error {
	folder, err := storeName(name)
	if err != nil {
		return err
	}
	return imapError(s.store.CreateFolder(ctx, folder, string(specialUse)), imap.CodeNonExistent)
}

// DeleteMailbox implements imap.User (RFC 3501 section 6.3.4).
func (s *session) DeleteMailbox(ctx context.Context, name string) error {
	folder, err := storeName(name)
	if err != nil {
		return err
	}
	return imapError(s.store.DeleteFolder(ctx, folder), imap.CodeNonExistent)
}

// RenameMailbox implements imap.User (RFC 3501 section 6.3.5): the
// inferiors move along; renaming INBOX moves its messages.
func (s *session) RenameMailbox(ctx context.Context, from, to string) error {
	src, err := storeName(from)
	if err != nil {
		return err
	}
	dst, err := storeName(to)
	if err != nil {
		return err
	}
	return imapError(s.store.RenameFolder(ctx, src, dst), imap.CodeNonExistent)
}

// SetSubscribed implements imap.User (RFC 3501 sections 6.3.6 and
// 6.3.7), in Dovecot's subscriptions file.
func (s *session) SetSubscribed(ctx context.Context, name string, subscribed bool) error {
	folder, err := storeName(name)
	if err != nil {
		return err
	}
	return imapError(s.store.Subscribe(ctx, folder, subscribed), imap.CodeNonExistent)
}

// Status implements imap.User (RFC 3501 section 6.3.10, RFC 8438 SIZE).
func (s *session) Status(ctx context.Context, name string) (*imap.MailboxStatus, error) {
	mb, err := s.mailbox(ctx, name, imap.CodeNonExistent)
	if err != nil {
		return nil, err
	}
	st, err := mb.Status(ctx)
	if err != nil {
		return nil, imapError(err, imap.CodeNonExistent)
	}
	return &imap.MailboxStatus{
		Messages:    st.Messages,
		Unseen:      st.Unseen,
		Deleted:     st.Deleted,
		UIDNext:     st.UIDNext,
		UIDValidity: st.UIDValidity,
		Size:        st.Size,
	}, nil
}

// Append implements imap.User (RFC 3501 section 6.3.11, RFC 4315
// APPENDUID): the Store writes the message to tmp/, syncs it and moves
// it into new/ or cur/ under a UID, or stores nothing. A missing
// mailbox answers NO [TRYCREATE]; the message is read to its end all
// the same, as the server needs.
func (s *session) Append(ctx context.Context, name string, flags []imap.Flag, date time.Time, r io.Reader, _ int64) (uint32, uint32, error) {
	mb, err := s.mailbox(ctx, name, imap.CodeTryCreate)
	if err != nil {
		_, _ = io.Copy(io.Discard, r)
		return 0, 0, err
	}
	validity, uid, err := mb.Append(ctx, r, toStrings(flags), date)
	if err != nil {
		_, _ = io.Copy(io.Discard, r)
		return 0, 0, imapError(err, imap.CodeTryCreate)
	}
	return validity, uid, nil
}

// Open implements imap.User (SELECT and EXAMINE, RFC 3501 sections
// 6.3.1 and 6.3.2). The session starts watching the folder before it
// lists the messages, so no change falls between the two: one made in
// between is both in the list and reported, and the server ignores what
// it already knows.
func (s *session) Open(ctx context.Context, name string, readOnly bool) (imap.Mailbox, *imap.MailboxView, error) {
	mb, err := s.mailbox(ctx, name, imap.CodeNonExistent)
	if err != nil {
		return nil, nil, err
	}
	w := mb.Watch()
	view, err := openView(ctx, mb)
	if err != nil {
		_ = w.Close()
		return nil, nil, imapError(err, imap.CodeNonExistent)
	}
	return newSelected(s, mb, w, readOnly), view, nil
}

// openView is the state SELECT reports. The messages are listed before
// the counts, so that UIDNEXT is past every UID listed.
func openView(ctx context.Context, mb *maildir.Mailbox) (*imap.MailboxView, error) {
	msgs, err := mb.Messages(ctx)
	if err != nil {
		return nil, err
	}
	st, err := mb.Status(ctx)
	if err != nil {
		return nil, err
	}
	view := &imap.MailboxView{
		UIDValidity:    st.UIDValidity,
		UIDNext:        st.UIDNext,
		Flags:          definedFlags(st.Keywords),
		PermanentFlags: permanentFlags(st.Keywords),
		UIDs:           make([]uint32, len(msgs)),
	}
	for i, m := range msgs {
		view.UIDs[i] = m.UID
		if view.FirstUnseen == 0 && !hasFlag(m.Flags, imap.FlagSeen) {
			view.FirstUnseen = m.UID
		}
	}
	return view, nil
}

// Logout implements imap.User. The Store stays open for the user's
// other sessions; Stores.Close closes it.
func (s *session) Logout(context.Context) error { return nil }

// mailbox returns the Store's folder of an IMAP name; missing is the
// code of a name that does not exist.
func (s *session) mailbox(ctx context.Context, name string, missing imap.ResponseCode) (*maildir.Mailbox, error) {
	folder, err := storeName(name)
	if err != nil {
		return nil, err
	}
	mb, err := s.store.Mailbox(ctx, folder)
	if err != nil {
		return nil, imapError(err, missing)
	}
	return mb, nil
}
