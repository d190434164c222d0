package mailstore

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmaildir"
	"github.com/mailwire/mailwire/message"
	"github.com/mailwire/mailwire/message/maildir"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3maildir"
)

// Maildir is a Store on disk: each user's mail is the maildir.Store at
// ROOT/<user>/Maildir (Dovecot's mail_location = maildir:~/Maildir),
// served over IMAP by imap/imapmaildir and over POP3 by pop3/pop3maildir
// from one maildir.Stores, so that a change through either protocol, or
// a delivery, reaches the other's sessions at once. Everything is kept in
// Dovecot's formats, so Dovecot, a Postfix local delivery and other
// mailserver processes can work on the same Maildirs at the same time.
type Maildir struct {
	users  *Users
	stores *maildir.Stores
	imap   *mdIMAP
	pop3   *mdPOP3
}

// OpenMaildir opens the Maildirs of the users under root, creating those
// that are missing.
func OpenMaildir(root string, users *Users) (*Maildir, error) {
	stores := &maildir.Stores{
		Path: func(user string) string { return filepath.Join(root, user, "Maildir") },
		// Structures as deep as BODYSTRUCTURE may go, so that the cached
		// ones are served (imapmaildir's doc).
		Options: &maildir.StoreOptions{StructureLimits: message.Limits{MaxDepth: imap.DefaultStructureDepth}},
	}
	for _, name := range users.Names() {
		if _, err := stores.Open(name); err != nil {
			stores.Close()
			return nil, err
		}
	}
	auth := func(_ context.Context, username, password string) (string, error) {
		name, ok := users.Check(username, password)
		if !ok {
			return "", errInvalidCredentials
		}
		return name, nil
	}
	return &Maildir{
		users:  users,
		stores: stores,
		imap:   &mdIMAP{Backend: &imapmaildir.Backend{Stores: stores, Authenticate: auth}, users: users},
		pop3:   &mdPOP3{Backend: &pop3maildir.Backend{Stores: stores, Authenticate: auth}, users: users},
	}, nil
}

var errInvalidCredentials = errors.New("mailstore: invalid user name or password")

// Users implements Store.
func (s *Maildir) Users() *Users { return s.users }

// IMAP implements Store.
func (s *Maildir) IMAP() imap.Backend { return s.imap }

// POP3 implements Store.
func (s *Maildir) POP3() pop3.Backend { return s.pop3 }

// Deliver implements Store: the message streams from r into the user's
// INBOX (Mailbox.Append writes it to tmp/, syncs it and moves it to new/
// before it returns), and every session watching the INBOX is told.
func (s *Maildir) Deliver(ctx context.Context, user string, r io.Reader) error {
	store, err := s.stores.Open(user)
	if err != nil {
		return err
	}
	inbox, err := store.Mailbox(ctx, "INBOX")
	if err != nil {
		return err
	}
	_, _, err = inbox.Append(ctx, r, nil, time.Time{})
	return err
}

// Close implements Store: it stops the Stores' pollers; every write is
// already on disk.
func (s *Maildir) Close() error { return s.stores.Close() }

// mdIMAP is the IMAP backend, with the SASL mechanisms that need the
// users' SCRAM verifiers (imap.ScramBackend, RFC 5802 and RFC 7677).
type mdIMAP struct {
	*imapmaildir.Backend
	users *Users
}

// ScramCredentials implements imap.ScramBackend: an unknown login gets
// imap.ErrUnknownUser, so the exchange fails at the proof as a wrong
// password does (RFC 5802 section 9).
func (b *mdIMAP) ScramCredentials(_ context.Context, mech, username string) (imap.ScramCredentials, error) {
	creds, ok := b.users.ScramCredentials(username, mech)
	if !ok {
		return imap.ScramCredentials{}, imap.ErrUnknownUser
	}
	return creds, nil
}

// OpenIdentity implements imap.IdentityBackend: the session of a login a
// SASL exchange authenticated.
func (b *mdIMAP) OpenIdentity(ctx context.Context, _ *imap.Conn, identity string) (imap.User, error) {
	name, ok := b.users.Lookup(identity)
	if !ok {
		return nil, &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeAuthenticationFailed, Text: "Invalid credentials"}
	}
	return b.OpenUser(ctx, name)
}

// mdPOP3 is the POP3 backend, with the SASL mechanisms that need the
// users' SCRAM verifiers (pop3.ScramBackend, RFC 5802 and RFC 7677).
type mdPOP3 struct {
	*pop3maildir.Backend
	users *Users
}

// ScramCredentials implements pop3.ScramBackend, as mdIMAP's does.
func (b *mdPOP3) ScramCredentials(_ context.Context, mech, username string) (pop3.ScramCredentials, error) {
	creds, ok := b.users.ScramCredentials(username, mech)
	if !ok {
		return pop3.ScramCredentials{}, pop3.ErrUnknownUser
	}
	return creds, nil
}

// OpenIdentity implements pop3.IdentityBackend: the maildrop of a login a
// SASL exchange authenticated.
func (b *mdPOP3) OpenIdentity(ctx context.Context, _ *pop3.Conn, identity string) (pop3.Maildrop, error) {
	name, ok := b.users.Lookup(identity)
	if !ok {
		return nil, pop3.ErrResponse(pop3.CodeAuth, "Invalid credentials")
	}
	return b.OpenUser(ctx, name)
}

// The Maildir backends offer SCRAM.
var (
	_ imap.ScramBackend = (*mdIMAP)(nil)
	_ pop3.ScramBackend = (*mdPOP3)(nil)
)
