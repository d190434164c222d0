// Package mda is the example mailserver's mail delivery agent: an
// smtp.Backend that accepts mail for the local users of a store, stamps
// each copy with the trace headers of RFC 5321 section 4.4 and puts it
// in the recipient's INBOX.
package mda

import (
	"bytes"
	"context"
	"io"
	"strings"
	"time"

	"github.com/mailwire/mailwire/smtp"
)

// Users is the table of local users; *mailstore.Users is one.
type Users interface {
	// Lookup maps a local part to a user name.
	Lookup(local string) (user string, ok bool)
	// Check verifies a login name and password (SMTP AUTH, RFC 4954).
	Check(login, password string) (user string, ok bool)
	// ScramCredentials returns the SCRAM verifiers of a login name for
	// mech (SMTP AUTH SCRAM-SHA-256 and SCRAM-SHA-1, RFC 5802).
	ScramCredentials(login, mech string) (creds smtp.ScramCredentials, ok bool)
}

// Mailboxes is what the agent delivers into; mailstore.Store is one.
type Mailboxes interface {
	// Deliver stores a message in the user's INBOX and returns once it is
	// stored.
	Deliver(ctx context.Context, user string, r io.Reader) error
}

// Agent is an smtp.Backend for a mail domain.
type Agent struct {
	// Domain is the mail domain whose addresses are local, and the host
	// name the Received header says received the message.
	Domain string
	// Users are the local users, who receive mail and may authenticate.
	Users Users
	// Mailboxes receives the mail.
	Mailboxes Mailboxes
	// Now returns the time stamped in Received; nil means time.Now.
	Now func() time.Time
}

// NewSession implements smtp.Backend.
func (a *Agent) NewSession(ctx context.Context, c *smtp.Conn) (smtp.Session, error) {
	return &session{a: a, c: c}, nil
}

// recipient is one accepted forward path and the user it reaches.
type recipient struct {
	addr, user string
}

// session is one SMTP connection's transactions.
type session struct {
	a     *Agent
	c     *smtp.Conn
	from  string
	rcpts []recipient
	body  bytes.Buffer
}

func (s *session) Mail(ctx context.Context, from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

// Rcpt accepts the addresses of local users. Mail for another domain is
// refused: this server is no open relay (RFC 5321 section 3.6.2, RFC
// 2505). This is where a relay queue would take non-local recipients of
// authenticated clients.
func (s *session) Rcpt(ctx context.Context, to string, _ *smtp.RcptOptions) error {
	local, domain, ok := strings.Cut(to, "@")
	if !ok && strings.EqualFold(to, "postmaster") {
		// RFC 5321 section 4.5.1: <Postmaster> without a domain must be
		// accepted when the server has one.
		local, domain = to, s.a.Domain
	}
	if !strings.EqualFold(domain, s.a.Domain) {
		return smtp.NewReply(550, smtp.EnhancedNotAuthorized, "Relaying denied")
	}
	user, ok := s.a.Users.Lookup(local)
	if !ok {
		return smtp.NewReply(550, smtp.EnhancedBadMailbox, "No such user here")
	}
	s.rcpts = append(s.rcpts, recipient{addr: to, user: user})
	return nil
}

// Data reads the message once and stores one copy per recipient, each
// with its own trace headers, so that the "for" clause names the
// recipient (RFC 5321 section 4.4). The 250 is given only once every
// copy is stored.
func (s *session) Data(ctx context.Context, r io.Reader) error {
	s.body.Reset()
	if _, err := s.body.ReadFrom(r); err != nil {
		return err
	}
	id := newID()
	now := time.Now
	if s.a.Now != nil {
		now = s.a.Now
	}
	t := trace{
		from: s.from, helo: s.c.Hostname(), remote: s.c.RemoteAddr(), by: s.a.Domain,
		with: s.c.Protocol(), id: id, date: now(),
	}
	for _, rc := range s.rcpts {
		t.rcpt = rc.addr
		msg := io.MultiReader(strings.NewReader(t.header()), bytes.NewReader(s.body.Bytes()))
		if err := s.a.Mailboxes.Deliver(ctx, rc.user, msg); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) Reset(ctx context.Context) {
	s.from, s.rcpts = "", nil
	s.body.Reset()
}

func (s *session) Logout(ctx context.Context) error { return nil }

// AuthPlain implements smtp.AuthSession: the users of the store may
// authenticate, for the submission port (RFC 6409 section 4.3). An
// authorization identity other than the user itself is refused.
func (s *session) AuthPlain(ctx context.Context, identity, username, password string) error {
	user, ok := s.a.Users.Check(username, password)
	if !ok {
		return smtp.NewReply(535, smtp.EnhancedBadCredentials, "Authentication credentials invalid")
	}
	if identity != "" {
		if id, ok := s.a.Users.Lookup(identity); !ok || id != user {
			return smtp.NewReply(535, smtp.EnhancedBadCredentials, "Not authorized for that identity")
		}
	}
	return nil
}

// ScramCredentials implements smtp.ScramSession: the store's users may
// also authenticate with SCRAM (RFC 5802), by name or address, without
// the password crossing the connection; anyone else gets
// smtp.ErrUnknownUser, which fails as a wrong password does.
func (s *session) ScramCredentials(ctx context.Context, mech, username string) (smtp.ScramCredentials, error) {
	if creds, ok := s.a.Users.ScramCredentials(username, mech); ok {
		return creds, nil
	}
	return smtp.ScramCredentials{}, smtp.ErrUnknownUser
}
