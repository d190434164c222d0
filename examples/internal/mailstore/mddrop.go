package mailstore

import (
	"context"
	"io"
	"slices"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/pop3"
)

type mdPOP3 struct{ s *Maildir }

// Login implements pop3.Backend: it locks the maildrop, syncs the INBOX
// with the disk and lists it as it is now.
func (b mdPOP3) Login(_ context.Context, _ *pop3.Conn, username, password string) (pop3.Maildrop, error) {
	s := b.s
	name, ok := s.users.Check(username, password)
	if !ok {
		return nil, pop3.ErrResponse(pop3.CodeAuth, "Invalid credentials")
	}
	release, err := s.locks.acquire(name)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.folder(name, imap.Inbox)
	if err == nil {
		err = f.syncIfChanged()
	}
	if err != nil {
		release()
		return nil, err
	}
	d := &mdDrop{s: s, f: f, validity: f.list.Validity, release: release}
	for _, m := range f.msgs {
		d.msgs = append(d.msgs, mdDropMsg{uid: m.uid, size: m.size, path: m.path})
	}
	return d, nil
}

// mdDrop is a POP3 session's view of a Maildir INBOX, fixed at login.
type mdDrop struct {
	s        *Maildir
	f        *mdFolder
	validity uint32
	msgs     []mdDropMsg
	release  func()
}

type mdDropMsg struct {
	uid  uint32
	size int64
	path string
}

func (d *mdDrop) Messages(context.Context) ([]pop3.MessageInfo, error) {
	out := make([]pop3.MessageInfo, len(d.msgs))
	for i, m := range d.msgs {
		out[i] = pop3.MessageInfo{Size: m.size, UID: uidl(d.validity, m.uid)}
	}
	return out, nil
}

// Open returns the file as stored, with LF line ends: the pop3 server
// sends them as CRLF. The file is opened under the lock (withFile), so a
// rename by an IMAP session cannot come between; one another program
// renamed is found again.
func (d *mdDrop) Open(_ context.Context, n int) (io.ReadCloser, error) {
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	f, err := d.f.openFile(d.msgs[n-1].uid)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Delete removes the files and expunges the UIDs from the index, which
// IMAP sessions see as EXPUNGE (RFC 3501 section 7.4.1).
func (d *mdDrop) Delete(_ context.Context, numbers []int) error {
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	var gone []*mdMsg
	for _, n := range numbers {
		if m := d.f.find(d.msgs[n-1].uid); m != nil && !slices.Contains(gone, m) {
			gone = append(gone, m)
		}
	}
	_, err := d.f.remove(nil, gone)
	return err
}

func (d *mdDrop) Close(context.Context) error {
	d.release()
	return nil
}
