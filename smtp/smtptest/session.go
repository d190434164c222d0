package smtptest

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/mailwire/mailwire/smtp"
)

// errDropped is returned by a session method whose connection was dropped
// on purpose; the server cannot send its reply anyway.
var errDropped = errors.New("smtptest: connection dropped")

// errClosing refuses a connection that arrives while Close runs.
var errClosing = smtp.NewReply(smtp.CodeServiceNotAvailable, smtp.EnhancedTempNotAccepting, "smtptest.localhost Service shutting down")

// session records one connection's transactions (RFC 5321 3.3).
type session struct {
	s    *Server
	c    *smtp.Conn
	from string
	opts smtp.MailOptions
	to   []string
	ropt []smtp.RcptOptions
}

// authSession adds AUTH PLAIN, LOGIN and SCRAM (RFC 4954) when WithUser
// was given; without it the server must not advertise AUTH at all.
type authSession struct{ *session }

func (s *Server) newSession(_ context.Context, c *smtp.Conn) (smtp.Session, error) {
	if !s.core.Enter() {
		return nil, errClosing
	}
	if s.fault(AtConnect, c) {
		s.endSession()
		return nil, errDropped
	}
	ss := &session{s: s, c: c}
	if s.cfg.users != nil {
		return authSession{ss}, nil
	}
	return ss, nil
}

// endSession lets Close go on once the last session ended.
func (s *Server) endSession() { s.core.Leave() }

// AuthPlain checks the credentials against WithUser's users. A wrong one
// returns a plain error, which the server answers with 535 5.7.8.
func (a authSession) AuthPlain(ctx context.Context, identity, user, pass string) error {
	if a.s.fault(AtAuth, a.c) {
		return errDropped
	}
	if u, ok := a.s.cfg.users[user]; !ok || u.password != pass || identity != "" && identity != user {
		return errors.New("smtptest: invalid credentials")
	}
	return nil
}

// ScramCredentials returns the verifiers WithUser derived, or
// smtp.ErrUnknownUser for a name it was not given, which fails as a
// wrong password does (RFC 5802 section 9).
func (a authSession) ScramCredentials(ctx context.Context, mech, user string) (smtp.ScramCredentials, error) {
	if a.s.fault(AtAuth, a.c) {
		return smtp.ScramCredentials{}, errDropped
	}
	if u, ok := a.s.cfg.users[user]; ok {
		return u.scram[mech], nil
	}
	return smtp.ScramCredentials{}, smtp.ErrUnknownUser
}

// Mail applies the faults of AtMail and RejectSender, then starts a
// transaction (RFC 5321 4.1.1.2).
func (ss *session) Mail(ctx context.Context, from string, opts *smtp.MailOptions) error {
	if ss.s.fault(AtMail, ss.c) {
		return errDropped
	}
	if r := ss.s.rejection(false, from); r != nil {
		return r
	}
	ss.from, ss.opts = from, *opts
	return nil
}

// Rcpt applies the faults of AtRcpt and RejectRecipient, then adds the
// recipient (RFC 5321 4.1.1.3).
func (ss *session) Rcpt(ctx context.Context, to string, opts *smtp.RcptOptions) error {
	if ss.s.fault(AtRcpt, ss.c) {
		return errDropped
	}
	if r := ss.s.rejection(true, to); r != nil {
		return r
	}
	ss.to = append(ss.to, to)
	ss.ropt = append(ss.ropt, *opts)
	return nil
}

// Data reads the whole message, then applies the faults and records it.
// Read errors (a size limit, bare line ends, a lost client) are returned
// as the server requires, so nothing incomplete is recorded.
func (ss *session) Data(ctx context.Context, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if ss.s.fault(AtData, ss.c) {
		return errDropped
	}
	if reply := ss.s.takeFailure(); reply != nil {
		return reply
	}
	m := Message{
		From:        ss.from,
		To:          ss.to,
		MailOptions: ss.opts,
		RcptOptions: ss.ropt,
		Data:        data,
		Hostname:    ss.c.Hostname(),
		Identity:    ss.c.Identity(),
		TLS:         ss.c.TLS(),
		RemoteAddr:  ss.c.RemoteAddr().String(),
		Received:    time.Now(),
	}
	ss.to, ss.ropt = nil, nil // m owns them now
	ss.s.record(m)
	return nil
}

// Reset forgets the transaction (RSET, RFC 5321 4.1.1.5).
func (ss *session) Reset(ctx context.Context) {
	ss.from, ss.opts = "", smtp.MailOptions{}
	ss.to, ss.ropt = nil, nil
}

// Logout ends the session for Close.
func (ss *session) Logout(ctx context.Context) error {
	ss.s.endSession()
	return nil
}
