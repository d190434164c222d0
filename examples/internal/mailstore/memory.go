package mailstore

import (
	"context"
	"io"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/pop3"
)

// Memory is a Store kept in memory. IMAP goes straight to an
// imapmem.Backend, which already delivers the change notifications IMAP
// needs; POP3 is a view on its INBOX.
type Memory struct {
	users *Users
	mem   *imapmem.Backend
	locks dropLocks
	sizes sizeCache
}

// NewMemory returns an empty in-memory store for the users.
func NewMemory(users *Users) *Memory {
	s := &Memory{users: users, mem: imapmem.New()}
	for _, name := range users.Names() {
		s.mem.AddUser(name, users.passwords[name])
	}
	return s
}

// Users implements Store.
func (s *Memory) Users() *Users { return s.users }

// Backend is the imapmem store underneath, for tests that inspect or wait
// for messages.
func (s *Memory) Backend() *imapmem.Backend { return s.mem }

// IMAP implements Store.
func (s *Memory) IMAP() imap.Backend { return memIMAP{s} }

// POP3 implements Store.
func (s *Memory) POP3() pop3.Backend { return memPOP3{s} }

type memIMAP struct{ s *Memory }

// Login implements imap.Backend: the login may be an address at the
// domain; imapmem knows users by bare name.
func (b memIMAP) Login(ctx context.Context, c *imap.Conn, username, password string) (imap.User, error) {
	s := b.s
	name, ok := s.users.Check(username, password)
	if !ok {
		return nil, &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeAuthenticationFailed, Text: "Invalid credentials"}
	}
	return s.mem.Login(ctx, c, name, password)
}

// Deliver implements Store.
func (s *Memory) Deliver(_ context.Context, user string, r io.Reader) error {
	_, err := s.mem.Deliver(user, imap.Inbox, r)
	return err
}

// Close implements Store; memory holds nothing open.
func (s *Memory) Close() error { return nil }

type memPOP3 struct{ s *Memory }

// Login implements pop3.Backend: it locks the maildrop and lists the
// INBOX as it is now (RFC 1939 section 5: numbers stay fixed for the
// session).
func (b memPOP3) Login(ctx context.Context, _ *pop3.Conn, username, password string) (pop3.Maildrop, error) {
	s := b.s
	name, ok := s.users.Check(username, password)
	if !ok {
		return nil, pop3.ErrResponse(pop3.CodeAuth, "Invalid credentials")
	}
	release, err := s.locks.acquire(name)
	if err != nil {
		return nil, err
	}
	u, err := s.mem.Login(ctx, nil, name, password)
	if err == nil {
		var st *imap.MailboxStatus
		if st, err = u.Status(ctx, imap.Inbox); err == nil {
			var msgs []imapmem.Message
			if msgs, err = s.mem.Messages(name, imap.Inbox); err == nil {
				sizes := s.sizes.sizes(name, st.UIDValidity, msgs)
				return &memDrop{u: u, validity: st.UIDValidity, msgs: msgs, sizes: sizes, release: release}, nil
			}
		}
	}
	release()
	return nil, err
}
