package smtp

import (
	"context"
	"io"
)

// Backend is what a Server delivers to: it opens one Session per
// connection. It is called from many goroutines at once.
//
// Every call of a Backend or a Session gets the session's context,
// canceled once the connection ended, as the IMAP backend's calls do:
// a backend passes it on to the stores and services it calls, so that
// their work stops with the session.
type Backend interface {
	// NewSession is called once a client connects, before the greeting.
	// An error refuses the connection: a *Reply is sent as the greeting
	// (RFC 5321 3.1 suggests 554), any other error as 421 4.3.0.
	NewSession(ctx context.Context, c *Conn) (Session, error)
}

// BackendFunc adapts a function to the Backend interface.
type BackendFunc func(ctx context.Context, c *Conn) (Session, error)

// NewSession calls f(ctx, c).
func (f BackendFunc) NewSession(ctx context.Context, c *Conn) (Session, error) { return f(ctx, c) }

// Session receives one connection's mail transactions (RFC 5321 3.3). Its
// methods are called from the connection's goroutine only, one at a time.
//
// Each method that returns an error refuses the command: a *Reply is sent
// as it is; any other error is logged and the client sees 451 4.3.0, so
// that no internal detail leaks and the sender will retry.
type Session interface {
	// Mail starts a transaction. from is the reverse path, "" for the
	// null path <> (RFC 5321 4.5.5); any source route was dropped.
	Mail(ctx context.Context, from string, opts *MailOptions) error
	// Rcpt adds a recipient. to is the forward path, or "Postmaster"
	// (RFC 5321 4.5.1). It is called once per distinct recipient of a
	// transaction: a repeated RCPT (compared without regard to case) is
	// answered 250 by the server alone, keeps the first one's options,
	// and is delivered once.
	Rcpt(ctx context.Context, to string, opts *RcptOptions) error
	// Data receives the message of the transaction: the unstuffed DATA
	// stream (RFC 5321 4.5.2) or the concatenated BDAT chunks (RFC 3030).
	// It must read r to io.EOF before accepting the message, and return
	// nil only once the message is safely stored: the server answers 250
	// only then. An error from r (size limit, bare line feed, the client
	// gone) must be returned; the server replies with the matching code.
	Data(ctx context.Context, r io.Reader) error
	// Reset aborts the current transaction (RSET, a new EHLO, STARTTLS,
	// or the end of a transaction), if any.
	Reset(ctx context.Context)
	// Logout is called once when the connection ends, with a context
	// that is not yet canceled.
	Logout(ctx context.Context) error
}

// AuthSession is a Session that checks user names and passwords, which
// enables AUTH PLAIN (RFC 4616) and AUTH LOGIN. identity is the requested
// authorization identity, "" when the client asked for none. A *Reply
// error is sent as it is; any other error gives 535 5.7.8.
type AuthSession interface {
	Session
	AuthPlain(ctx context.Context, identity, username, password string) error
}

// SASLSession is a Session that offers SASL mechanisms of its own, such as
// XOAUTH2, besides those of AuthSession, ScramSession, ExternalSession
// and OAuthBearerSession (backend_sasl.go); a mechanism it lists is run
// by Auth even where one of those offers it too.
type SASLSession interface {
	Session
	// AuthMechanisms lists the mechanisms to advertise.
	AuthMechanisms() []string
	// Auth starts an exchange for one of them. If the returned server
	// implements interface{ Identity() string }, the identity is recorded
	// on the Conn once the exchange succeeds.
	Auth(ctx context.Context, mech string) (SASLServer, error)
}

// LMTPSession is a Session that reports a result per recipient when the
// server runs in LMTP mode (RFC 2033 4.2). Without it, the result of Data
// is given for every recipient.
type LMTPSession interface {
	Session
	// LMTPData is Data for LMTP: it calls status.Set for the recipients
	// whose delivery failed; recipients without a status get the error
	// LMTPData returns, or 250 when it returns nil.
	LMTPData(ctx context.Context, r io.Reader, status *LMTPStatus) error
}

// LMTPStatus collects per-recipient results of an LMTP delivery.
type LMTPStatus struct {
	rcpts   []string
	results map[int]error
}

// Set records the result for the recipient rcpt, as it was passed to Rcpt.
// When a recipient was given more than once, each occurrence gets err.
func (s *LMTPStatus) Set(rcpt string, err error) {
	if s.results == nil {
		s.results = make(map[int]error)
	}
	for i, r := range s.rcpts {
		if r == rcpt {
			s.results[i] = err
		}
	}
}

// VerifySession is a Session that answers VRFY (RFC 5321 3.5.1). Without
// it the server answers 252 2.5.0 (RFC 5321 3.5.3), as most do, since
// VRFY helps address harvesting. Return nil for 250 or a *Reply.
type VerifySession interface {
	Session
	Verify(ctx context.Context, addr string) error
}
