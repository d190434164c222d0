package mailstore

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
	"github.com/mailwire/mailwire/pop3"
)

// Maildir is a Store on disk: each user's mail is in
// ROOT/<user>/Maildir, INBOX at its top and the mailbox "A/B" in the
// Maildir++ folder ".A.B", the layout Dovecot and Postfix use, so either
// can work on the same files. UIDs live in a mailwire-uidlist file per
// folder. Files that other programs deliver, rename or remove are picked
// up when a session opens a folder and on each command after its
// directories change, and told to selected sessions (IDLE ones too)
// within watchInterval.
//
// One lock guards the in-memory index of every folder; message files are
// written and synced outside it.
type Maildir struct {
	root  string
	users *Users
	locks dropLocks

	mu       sync.Mutex
	folders  map[folderKey]*mdFolder
	validity uint32         // last UIDVALIDITY handed out
	watching sync.WaitGroup // the folders' watches (startWatch)
	structs  structCache    // parsed message structures (mdstruct.go)
}

type folderKey struct{ user, name string }

// OpenMaildir opens (creating what is missing) the Maildirs of the users
// under root.
func OpenMaildir(root string, users *Users) (*Maildir, error) {
	s := &Maildir{root: root, users: users, folders: make(map[folderKey]*mdFolder), validity: uint32(time.Now().Unix())}
	for _, name := range users.Names() {
		if err := maildir.Create(s.dir(name, imap.Inbox)); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// dir is the folder of a mailbox: Maildir++ joins the levels with "."
// under a leading "." (so a level may not contain "."; validFolder).
func (s *Maildir) dir(user, name string) string {
	top := filepath.Join(s.root, user, "Maildir")
	if name == imap.Inbox {
		return top
	}
	return filepath.Join(top, "."+strings.ReplaceAll(name, string(imap.Delimiter), "."))
}

// validFolder refuses names Maildir++ cannot hold.
func validFolder(name string) error {
	if strings.Contains(name, ".") || strings.HasPrefix(name, "mailwire-") {
		return &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeCannot, Text: "Mailbox names cannot contain '.' here"}
	}
	return nil
}

// Users implements Store.
func (s *Maildir) Users() *Users { return s.users }

// IMAP implements Store.
func (s *Maildir) IMAP() imap.Backend { return mdIMAP{s} }

// POP3 implements Store.
func (s *Maildir) POP3() pop3.Backend { return mdPOP3{s} }

// Close implements Store: every write is already on disk; it ends the
// folders' watches and waits for them.
func (s *Maildir) Close() error {
	s.mu.Lock()
	for _, f := range s.folders {
		f.stopWatch()
	}
	s.mu.Unlock()
	s.watching.Wait()
	return nil
}

// Deliver implements Store: the message is written and synced into new
// before the index learns of it.
func (s *Maildir) Deliver(_ context.Context, user string, r io.Reader) error {
	return s.store(user, imap.Inbox, r, nil, time.Time{}, nil)
}

// store writes a message into a folder and indexes it; uid, if not nil,
// receives its UID.
func (s *Maildir) store(user, name string, r io.Reader, flags []imap.Flag, date time.Time, uid *uint32) error {
	dir := s.dir(user, name)
	if !maildir.Exists(dir) {
		io.Copy(io.Discard, r)
		return &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeTryCreate, Text: "No such mailbox"}
	}
	flags = normalizeFlags(flags)
	n, err := maildir.Write(dir, r, infoFlags(flags, ""), date)
	if err != nil {
		return err
	}
	if date.IsZero() {
		date = time.Now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.folder(user, name)
	if err != nil {
		return err
	}
	m, err := f.adopt(maildir.Entry{Name: n, Path: n.PathIn(dir), ModTime: date}, true)
	if err != nil {
		return err
	}
	m.flags = flags // keywords stay for this run only: PERMANENTFLAGS has no \*
	if uid != nil {
		*uid = m.uid
	}
	return nil
}

// folder returns the index of a mailbox, loading it on first use; the
// caller holds s.mu.
func (s *Maildir) folder(user, name string) (*mdFolder, error) {
	key := folderKey{user, name}
	if f, ok := s.folders[key]; ok {
		return f, nil
	}
	dir := s.dir(user, name)
	if !maildir.Exists(dir) {
		return nil, &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeTryCreate, Text: "No such mailbox"}
	}
	s.validity = max(s.validity+1, uint32(time.Now().Unix()))
	list, err := ReadUIDList(dir, s.validity)
	if err != nil {
		return nil, err
	}
	f := &mdFolder{dir: dir, list: list, byBase: make(map[string]*mdMsg)}
	if err := f.sync(); err != nil {
		return nil, err
	}
	s.folders[key] = f
	return f, nil
}

// forget drops the index of a mailbox that was deleted or renamed away;
// its sessions see it empty. The caller holds s.mu.
func (s *Maildir) forget(user, name string) {
	key := folderKey{user, name}
	if f, ok := s.folders[key]; ok {
		f.expungeAll()
		delete(s.folders, key)
	}
}

func notExist(err error) bool { return errors.Is(err, os.ErrNotExist) }
