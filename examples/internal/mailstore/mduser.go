package mailstore

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

type mdIMAP struct{ s *Maildir }

// Login implements imap.Backend.
func (b mdIMAP) Login(_ context.Context, _ *imap.Conn, username, password string) (imap.User, error) {
	name, ok := b.s.users.Check(username, password)
	if !ok {
		return nil, &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeAuthenticationFailed, Text: "Invalid credentials"}
	}
	return &mdUser{s: b.s, name: name}, nil
}

// mdUser is one IMAP session's view of a user's Maildir.
type mdUser struct {
	s    *Maildir
	name string
}

// subscriptionsFile lists the subscribed mailboxes, one name a line.
const subscriptionsFile = "mailwire-subscriptions"

func (u *mdUser) top() string { return u.s.dir(u.name, imap.Inbox) }

func (u *mdUser) Username() string { return u.name }

// ListMailboxes lists INBOX and the Maildir++ folders; a level that has
// only inferiors on disk is listed \Noselect (RFC 3501 section 6.3.8).
func (u *mdUser) ListMailboxes(context.Context) ([]imap.MailboxInfo, error) {
	des, err := os.ReadDir(u.top())
	if err != nil {
		return nil, err
	}
	names := map[string]bool{imap.Inbox: true}
	for _, de := range des {
		n := de.Name()
		if de.IsDir() && len(n) > 1 && n[0] == '.' && n != ".." && maildir.Exists(filepath.Join(u.top(), n)) {
			names[strings.ReplaceAll(n[1:], ".", string(imap.Delimiter))] = true
		}
	}
	subs := u.subscriptions()
	var out []imap.MailboxInfo
	seen := map[string]bool{}
	for n := range names {
		levels := strings.Split(n, string(imap.Delimiter))
		for i := 1; i < len(levels); i++ {
			parent := strings.Join(levels[:i], string(imap.Delimiter))
			if !names[parent] && !seen[parent] {
				seen[parent] = true
				out = append(out, imap.MailboxInfo{Name: parent, Attrs: []imap.MailboxAttr{imap.AttrNoSelect}, Subscribed: slices.Contains(subs, parent)})
			}
		}
		out = append(out, imap.MailboxInfo{Name: n, Subscribed: slices.Contains(subs, n)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (u *mdUser) CreateMailbox(_ context.Context, name string, _ imap.MailboxAttr) error {
	if err := validFolder(name); err != nil {
		return err
	}
	dir := u.s.dir(u.name, name)
	if name == imap.Inbox || maildir.Exists(dir) {
		return &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeAlreadyExists, Text: "Mailbox already exists"}
	}
	return maildir.Create(dir)
}

// DeleteMailbox removes the folder; in Maildir++ inferiors are folders of
// their own and stay (RFC 3501 section 6.3.4).
func (u *mdUser) DeleteMailbox(_ context.Context, name string) error {
	dir := u.s.dir(u.name, name)
	if name == imap.Inbox || !maildir.Exists(dir) {
		return &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeNonExistent, Text: "No such mailbox"}
	}
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.s.forget(u.name, name)
	return os.RemoveAll(dir)
}

// RenameMailbox renames the folder and its inferiors (RFC 3501 section
// 6.3.5); renaming INBOX moves its messages into the new folder.
func (u *mdUser) RenameMailbox(_ context.Context, from, to string) error {
	if err := validFolder(to); err != nil {
		return err
	}
	src, dst := u.s.dir(u.name, from), u.s.dir(u.name, to)
	if !maildir.Exists(src) {
		return &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeNonExistent, Text: "No such mailbox"}
	}
	if to == imap.Inbox || maildir.Exists(dst) {
		return &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeAlreadyExists, Text: "Target mailbox exists"}
	}
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	if from == imap.Inbox {
		return u.moveInbox(dst)
	}
	prefix := filepath.Base(src) + "."
	des, err := os.ReadDir(u.top())
	if err != nil {
		return err
	}
	for _, de := range des {
		if rest, ok := strings.CutPrefix(de.Name(), prefix); ok {
			u.s.forget(u.name, strings.ReplaceAll(de.Name()[1:], ".", string(imap.Delimiter)))
			if err := os.Rename(filepath.Join(u.top(), de.Name()), dst+"."+rest); err != nil {
				return err
			}
		}
	}
	u.s.forget(u.name, from)
	return os.Rename(src, dst)
}

// moveInbox moves INBOX's messages into a new folder; the caller holds
// s.mu.
func (u *mdUser) moveInbox(dst string) error {
	if err := maildir.Create(dst); err != nil {
		return err
	}
	f, err := u.s.folder(u.name, imap.Inbox)
	if err != nil {
		return err
	}
	for _, m := range f.msgs {
		if err := os.Rename(m.path, filepath.Join(dst, filepath.Base(filepath.Dir(m.path)), filepath.Base(m.path))); err != nil {
			return err
		}
	}
	return f.sync()
}

func (u *mdUser) subscriptions() []string {
	data, err := os.ReadFile(filepath.Join(u.top(), subscriptionsFile))
	if err != nil {
		return nil
	}
	return strings.Fields(string(data))
}

// SetSubscribed rewrites the subscriptions file (RFC 3501 sections 6.3.6
// and 6.3.7).
func (u *mdUser) SetSubscribed(_ context.Context, name string, subscribed bool) error {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	subs := slices.DeleteFunc(u.subscriptions(), func(s string) bool { return s == name })
	if subscribed {
		subs = append(subs, name)
	}
	path := filepath.Join(u.top(), subscriptionsFile)
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, s := range subs {
		w.WriteString(s + "\n")
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}

func (u *mdUser) Status(_ context.Context, name string) (*imap.MailboxStatus, error) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	f, err := u.s.folder(u.name, name)
	if err != nil {
		return nil, err
	}
	if err := f.syncIfChanged(); err != nil {
		return nil, err
	}
	st := &imap.MailboxStatus{Messages: uint32(len(f.msgs)), UIDNext: f.list.Next, UIDValidity: f.list.Validity}
	for _, m := range f.msgs {
		if !hasFlag(m.flags, imap.FlagSeen) {
			st.Unseen++
		}
		if hasFlag(m.flags, imap.FlagDeleted) {
			st.Deleted++
		}
		st.Size += m.size
	}
	return st, nil
}

// Append writes the message (RFC 3501 section 6.3.11) with its flags in
// its name and its date as the file's time.
func (u *mdUser) Append(_ context.Context, name string, flags []imap.Flag, date time.Time, r io.Reader, _ int64) (uint32, uint32, error) {
	var uid uint32
	if err := u.s.store(u.name, name, r, flags, date, &uid); err != nil {
		return 0, 0, err
	}
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	f, err := u.s.folder(u.name, name)
	if err != nil {
		return 0, 0, err
	}
	return f.list.Validity, uid, nil
}

// Open syncs the folder with the disk and selects it.
func (u *mdUser) Open(_ context.Context, name string, readOnly bool) (imap.Mailbox, *imap.MailboxView, error) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	f, err := u.s.folder(u.name, name)
	if err != nil {
		return nil, nil, &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeNonExistent, Text: "No such mailbox"}
	}
	if err := f.syncIfChanged(); err != nil {
		return nil, nil, err
	}
	h := &mdHandle{s: u.s, user: u.name, f: f, readOnly: readOnly, changed: make(chan struct{}, 1)}
	f.handles = append(f.handles, h)
	u.s.startWatch(f)
	system := []imap.Flag{imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagSeen, imap.FlagDraft}
	view := &imap.MailboxView{
		UIDValidity:    f.list.Validity,
		UIDNext:        f.list.Next,
		Flags:          system,
		PermanentFlags: system, // keywords are not kept on disk: no \*
		UIDs:           make([]uint32, len(f.msgs)),
	}
	for i, m := range f.msgs {
		view.UIDs[i] = m.uid
		if view.FirstUnseen == 0 && !hasFlag(m.flags, imap.FlagSeen) {
			view.FirstUnseen = m.uid
		}
	}
	return h, view, nil
}

func (u *mdUser) Logout(context.Context) error { return nil }
