package mda

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/mailwire/mailwire/smtp"
)

// Users is the table of local users, who receive mail and may
// authenticate on the submission port.
type Users interface {
	// Lookup maps a local part (or a login name) to a user name. Two
	// local parts that name one user receive one copy of a message.
	Lookup(local string) (user string, ok bool)
	// Check verifies a login name and password (SMTP AUTH PLAIN and
	// LOGIN, RFC 4954, RFC 4616) and returns the user name.
	Check(login, password string) (user string, ok bool)
	// ScramCredentials returns the SCRAM verifiers of a login name for
	// mech (SMTP AUTH SCRAM-SHA-256 and SCRAM-SHA-1, RFC 5802, RFC 7677).
	ScramCredentials(login, mech string) (creds smtp.ScramCredentials, ok bool)
}

// Mailboxes is what the Agent delivers into.
type Mailboxes interface {
	// Deliver stores a message, trace fields first, in the user's INBOX
	// and returns only once it is stored (RFC 5321 section 6.1: the 250
	// is a promise). r is valid only during the call. A *smtp.Reply
	// error is sent to the client as it is (e.g. 452 4.2.2, mailbox
	// full, RFC 3463); any other error gives 451 4.3.0. ctx is the SMTP
	// session's, canceled once the client is gone.
	Deliver(ctx context.Context, user string, r io.Reader) error
}

// Agent is an smtp.Backend for one mail domain that delivers into
// Mailboxes. Its sessions also implement smtp.LMTPSession,
// smtp.AuthSession and smtp.ScramSession.
type Agent struct {
	// Domain is the mail domain whose addresses are local, and the host
	// name the Received field says received the message.
	Domain string
	// Users are the local users, who receive mail and may authenticate.
	Users Users
	// Mailboxes receives the mail.
	Mailboxes Mailboxes
	// SpoolDir holds each message while its copies are delivered; ""
	// is os.TempDir(). A directory on the Mailboxes' file system lets
	// the copies be read from the page cache.
	SpoolDir string
	// Now returns the time stamped in Received; nil means time.Now.
	Now func() time.Time
}

// NewSession implements smtp.Backend.
func (a *Agent) NewSession(ctx context.Context, c *smtp.Conn) (smtp.Session, error) {
	return &session{a: a, c: c}, nil
}

func (a *Agent) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
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
}

var (
	_ smtp.LMTPSession  = (*session)(nil)
	_ smtp.AuthSession  = (*session)(nil)
	_ smtp.ScramSession = (*session)(nil)
)

func (s *session) Mail(ctx context.Context, from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

// Rcpt accepts the addresses of local users. Mail for another domain is
// refused: this server is no open relay (RFC 5321 section 3.6.2, RFC
// 2505).
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

func (s *session) Reset(ctx context.Context) {
	s.from, s.rcpts = "", nil
}

func (s *session) Logout(ctx context.Context) error { return nil }

// AuthPlain implements smtp.AuthSession: the users may authenticate, for
// the submission port (RFC 6409 section 4.3). An authorization identity
// other than the user itself is refused (RFC 4616 section 2).
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

// ScramCredentials implements smtp.ScramSession: the users may also
// authenticate with SCRAM (RFC 5802) without the password crossing the
// connection; anyone else gets smtp.ErrUnknownUser, which fails as a
// wrong password does.
func (s *session) ScramCredentials(ctx context.Context, mech, username string) (smtp.ScramCredentials, error) {
	if creds, ok := s.a.Users.ScramCredentials(username, mech); ok {
		return creds, nil
	}
	return smtp.ScramCredentials{}, smtp.ErrUnknownUser
}
