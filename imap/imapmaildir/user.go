package imapmaildir

import (
	"context"
	"io"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// session is one authenticated IMAP session over a user's Store: the
// imap.User the server calls. The Store is shared with every other
// session of the user (maildir.Stores), so it is not closed at Logout.
type session struct {
	login string
	store *maildir.Store
}

// Username implements imap.User.
func (s *session) Username() string { return s.login }

// ListMailboxes implements imap.User from Store.Folders: a parent that
// exists only through its children, and a subscribed name without a
// folder, are \Noselect (RFC 3501 sections 6.3.8 and 6.3.9, as Dovecot
// lists them); a special use given at CREATE is its RFC 6154 attribute.
func (s *session) ListMailboxes(ctx context.Context) ([]imap.MailboxInfo, error) {
	folders, err := s.store.Folders(ctx)
	if err != nil {
		return nil, responseOf(err, imap.CodeNonExistent)
	}
	out := make([]imap.MailboxInfo, 0, len(folders))
	for _, f := range folders {
		info := imap.MailboxInfo{Name: mailboxName(f.Name), Subscribed: f.Subscribed}
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
// section 3 USE). As in Dovecot's Maildir++ layout a missing superior is
// not made: it lists as \Noselect, which places the name in the
// hierarchy.
func (s *session) CreateMailbox(ctx context.Context, name string, specialUse imap.MailboxAttr) error {
	folder, err := folderName(name)
	if err != nil {
		return err
	}
	return responseOf(s.store.CreateFolder(ctx, folder, string(specialUse)), imap.CodeNonExistent)
}

// DeleteMailbox implements imap.User (RFC 3501 section 6.3.4). A
// Maildir++ folder's children are folders of their own, so they stay,
// and the deleted name lists as \Noselect while they exist.
func (s *session) DeleteMailbox(ctx context.Context, name string) error {
	folder, err := folderName(name)
	if err != nil {
		return err
	}
	return responseOf(s.store.DeleteFolder(ctx, folder), imap.CodeNonExistent)
}

// RenameMailbox implements imap.User (RFC 3501 section 6.3.5): children
// move along; renaming INBOX moves its messages and leaves it empty.
func (s *session) RenameMailbox(ctx context.Context, from, to string) error {
	src, err := folderName(from)
	if err != nil {
		return err
	}
	dst, err := folderName(to)
	if err != nil {
		return err
	}
	return responseOf(s.store.RenameFolder(ctx, src, dst), imap.CodeNonExistent)
}

// SetSubscribed implements imap.User (RFC 3501 sections 6.3.6 and
// 6.3.7) with Dovecot's subscriptions file; a name may be subscribed
// whether or not its folder exists, as Dovecot allows.
func (s *session) SetSubscribed(ctx context.Context, name string, subscribed bool) error {
	folder, err := folderName(name)
	if err != nil {
		return err
	}
	return responseOf(s.store.Subscribe(ctx, folder, subscribed), imap.CodeNonExistent)
}

// mailbox returns the Store's folder of an IMAP name; missing is the
// code of a folder that does not exist.
func (s *session) mailbox(ctx context.Context, name string, missing imap.ResponseCode) (*maildir.Mailbox, error) {
	folder, err := folderName(name)
	if err != nil {
		if missing == imap.CodeTryCreate {
			// A name that cannot be stored cannot be created either.
			return nil, err
		}
		return nil, imap.NOResponse(missing, "Mailbox doesn't exist")
	}
	mb, err := s.store.Mailbox(ctx, folder)
	if err != nil {
		return nil, responseOf(err, missing)
	}
	return mb, nil
}

// Status implements imap.User (RFC 3501 section 6.3.10, RFC 8438 SIZE).
func (s *session) Status(ctx context.Context, name string) (*imap.MailboxStatus, error) {
	mb, err := s.mailbox(ctx, name, imap.CodeNonExistent)
	if err != nil {
		return nil, err
	}
	st, err := mb.Status(ctx)
	if err != nil {
		return nil, responseOf(err, imap.CodeNonExistent)
	}
	return &imap.MailboxStatus{
		Messages: st.Messages, Unseen: st.Unseen, Deleted: st.Deleted,
		UIDNext: st.UIDNext, UIDValidity: st.UIDValidity, Size: st.Size,
	}, nil
}

// Append implements imap.User (RFC 3501 section 6.3.11, RFC 4315
// APPENDUID): the Store writes the message to tmp/, syncs it and gives
// it its UID under the dovecot-uidlist lock. A missing mailbox answers
// NO [TRYCREATE]; the literal is read to its end all the same.
func (s *session) Append(ctx context.Context, name string, flags []imap.Flag, date time.Time, r io.Reader, _ int64) (uint32, uint32, error) {
	mb, err := s.mailbox(ctx, name, imap.CodeTryCreate)
	if err != nil {
		_, _ = io.Copy(io.Discard, r)
		return 0, 0, err
	}
	validity, uid, err := mb.Append(ctx, r, storeFlags(flags), date)
	if err != nil {
		return 0, 0, responseOf(err, imap.CodeTryCreate)
	}
	return validity, uid, nil
}

// Open implements imap.User (RFC 3501 sections 6.3.1 and 6.3.2). The
// Watcher starts before the messages are listed, so that no change is
// missed between the two: a message both listed and reported as added
// is announced once, since the server drops an UpdateNew of a UID it
// already has.
func (s *session) Open(ctx context.Context, name string, readOnly bool) (imap.Mailbox, *imap.MailboxView, error) {
	mb, err := s.mailbox(ctx, name, imap.CodeNonExistent)
	if err != nil {
		return nil, nil, err
	}
	w := mb.Watch()
	view, err := openView(ctx, mb)
	if err != nil {
		w.Close()
		return nil, nil, responseOf(err, imap.CodeNonExistent)
	}
	return &selected{s: s, mb: mb, w: w}, view, nil
}

// openView is the state SELECT reports: the UIDs, FLAGS, PERMANENTFLAGS
// (RFC 3501 section 7.1) and the first message without \Seen.
func openView(ctx context.Context, mb *maildir.Mailbox) (*imap.MailboxView, error) {
	infos, err := mb.Messages(ctx)
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
		UIDs:           make([]uint32, len(infos)),
	}
	for i, info := range infos {
		view.UIDs[i] = info.UID
		if view.FirstUnseen == 0 && !hasFlag(info.Flags, imap.FlagSeen) {
			view.FirstUnseen = info.UID
		}
	}
	return view, nil
}

// Logout implements imap.User; the Store stays open for the user's other
// sessions.
func (s *session) Logout(context.Context) error { return nil }
