package smtptest

import (
	"time"

	"github.com/mailwire/mailwire/internal/testserver"
	"github.com/mailwire/mailwire/smtp"
)

// An Option configures a Server made by NewServer or Start. The option
// names are those of pop3test and imaptest (see the package doc).
type Option func(*config)

// config is what the options set. It does not change once the server runs;
// the faults in it are copied into the Server, where Reset clears them.
type config struct {
	testserver.Settings[smtp.Server]
	users     map[string]user
	lmtp      bool
	faults    faults
	onMessage []func(Message)
}

// A Stage is a point of an SMTP session where a fault can be injected.
type Stage int

// The stages, in the order a session passes them.
const (
	// AtConnect is before the greeting (RFC 5321 3.1).
	AtConnect Stage = iota
	// AtAuth is when the client's credentials are checked (RFC 4954 4).
	AtAuth
	// AtMail is before the reply to MAIL FROM (RFC 5321 4.1.1.2).
	AtMail
	// AtRcpt is before the reply to RCPT TO (RFC 5321 4.1.1.3).
	AtRcpt
	// AtData is after the whole message arrived and before the reply to
	// its terminating "." (RFC 5321 4.1.1.4) or last BDAT chunk: the
	// moment when a client cannot know whether the message was accepted
	// (RFC 5321 6.1).
	AtData
)

// WithUser accepts user with password for AUTH PLAIN or LOGIN (RFC 4954,
// RFC 4616) and for SCRAM-SHA-256 and SCRAM-SHA-1, with -PLUS over TLS
// (RFC 7677, RFC 5802), and requires AUTH before MAIL, answering MAIL
// without it with 530 5.7.0 (RFC 4954 6); give it several times for
// several users. Wrong credentials get 535 5.7.8. AUTH is only offered
// over TLS unless WithInsecureAuth is given too (RFC 4954 4).
func WithUser(name, password string) Option {
	u := newUser(password)
	return func(c *config) {
		if c.users == nil {
			c.users = make(map[string]user)
		}
		c.users[name] = u
	}
}

// WithInsecureAuth offers and accepts AUTH over a cleartext connection,
// which RFC 4954 section 4 lets a server refuse and a production server
// should: a test asks for it when its client logs in without TLS.
func WithInsecureAuth() Option { return func(c *config) { c.InsecureAuth = true } }

// WithTLS offers STARTTLS (RFC 3207) with a self-signed certificate for
// localhost and 127.0.0.1 made at run time; Server.ClientTLSConfig trusts
// it.
func WithTLS() Option { return func(c *config) { c.TLS = true } }

// WithImplicitTLS serves SMTP inside TLS from the first octet, as on port
// 465 (RFC 8314 3.3), with the certificate of WithTLS.
func WithImplicitTLS() Option { return func(c *config) { c.ImplicitTLS = true } }

// WithLMTP speaks LMTP (RFC 2033): LHLO instead of EHLO, and one reply per
// recipient after the message.
func WithLMTP() Option {
	return func(c *config) { c.lmtp = true }
}

// WithServer calls fn with the smtp.Server before it starts, to set its
// limits, timeouts, Debug writer or Logger. Backend must not be replaced;
// a BeforeCommand set here runs after FailCommand and DropOn.
func WithServer(fn func(*smtp.Server)) Option {
	return func(c *config) { c.Tweaks = append(c.Tweaks, fn) }
}

// OnMessage calls fn with each accepted message, from the session's
// goroutine, before the client gets its 250 and before WaitMessages sees
// the message: a test that feeds an IMAP or POP3 store from here
// (imaptest's or pop3test's Deliver) can read the message there as soon
// as the SMTP client returns.
func OnMessage(fn func(Message)) Option {
	return func(c *config) { c.onMessage = append(c.onMessage, fn) }
}

// RejectSender refuses MAIL FROM with reply when the reverse path is addr
// (compared exactly; "" is the null path <>). A *smtp.Reply is sent as it
// is, so choose the code the test needs: 550 5.1.0 refuses for good, 451
// 4.3.0 asks the client to retry (RFC 5321 4.2.5). Reset ends it.
func RejectSender(addr string, reply *smtp.Reply) Option {
	return func(c *config) { setReply(&c.faults.rejectSender, addr, reply) }
}

// RejectRecipient refuses RCPT TO with reply when the forward path is addr
// (compared exactly), e.g. 550 5.1.1 for an unknown user (RFC 3463).
// Reset ends it.
func RejectRecipient(addr string, reply *smtp.Reply) Option {
	return func(c *config) { setReply(&c.faults.rejectRcpt, addr, reply) }
}

func setReply(m *map[string]*smtp.Reply, addr string, reply *smtp.Reply) {
	if *m == nil {
		*m = make(map[string]*smtp.Reply)
	}
	(*m)[addr] = reply
}

// FailNextData refuses the next n messages with reply after receiving
// them whole; later messages are accepted. A 4xx reply tests a client's
// retry (RFC 5321 4.5.4.1), a 5xx one its bounce. Reset ends it.
func FailNextData(n int, reply *smtp.Reply) Option {
	return func(c *config) { c.faults.failData, c.faults.failReply = n, reply }
}

// DelayReply holds the server's reply at stage for d, every time, to test
// a client's timeouts (RFC 5321 4.5.3.2) and context cancellation. Reset
// ends it.
func DelayReply(stage Stage, d time.Duration) Option {
	return func(c *config) {
		if c.faults.delays == nil {
			c.faults.delays = make(map[Stage]time.Duration)
		}
		c.faults.delays[stage] = d
	}
}

// DropConnection closes the connection without a reply at stage, the
// first n times a session reaches it (every time when n <= 0). Dropped at
// AtData, the message is not recorded. Reset ends it.
func DropConnection(stage Stage, n int) Option {
	return func(c *config) {
		if c.faults.drops == nil {
			c.faults.drops = make(map[Stage]int)
		}
		if n <= 0 {
			n = -1
		}
		c.faults.drops[stage] = n
	}
}
