package smtp

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"sync/atomic"
	"testing"

	"github.com/mailwire/mailwire/internal/netserver"
	"github.com/mailwire/mailwire/internal/servertest"
)

// submission and relay describe the Server to internal/servertest: one
// that requires AUTH before mail (RFC 6409 section 4.3), so that its
// sessions have a login phase, and one that does not (port 25). A
// guessBackend is behind both; a client says EHLO, then AUTH PLAIN (RFC
// 4954 section 4), and the server ends sessions with 421 (RFC 5321
// section 3.8) and the enhanced codes of RFC 3463.
var (
	submission = smtpProto(true)
	relay      = smtpProto(false)
)

func smtpProto(authRequired bool) servertest.Protocol {
	plain := servertest.Method{Name: "AUTH PLAIN", Send: authPlain}
	return servertest.Protocol{
		Start: func(t *testing.T, cfg servertest.Config) *servertest.Server {
			b := &guessBackend{}
			srv := &Server{Domain: "mx.test", Backend: b, AuthRequired: authRequired, AllowInsecureAuth: true}
			return servertest.Start(t, cfg, srv, b.tries.Load)
		},
		Greeting: "220 *", Hello: "EHLO client.test", HelloReply: "250 *", Reply: lastLine,
		Login: plain, AuthPlain: plain, Guesses: []servertest.Method{plain},
		LoggedIn: "235 2.7.0 Authentication successful", Failed: "535 5.7.8 Authentication credentials invalid",
		Noop: "NOOP", NoopReply: "250 2.0.0 OK", NoopBeforeLogin: "250 2.0.0 OK", Junk: "JUNK",
		Lines: servertest.Lines{
			TooManyConnections:  "421 4.7.0 mx.test Too many connections, try again later",
			Evicted:             "421 4.7.0 mx.test Too many connections; closing one not authenticated",
			LoginTimeout:        "421 4.4.2 mx.test Login timeout, closing connection",
			ShuttingDown:        "421 4.3.2 mx.test Service shutting down, closing connection",
			TooManyErrors:       "421 4.7.0 mx.test Too many errors, closing connection",
			TooManyAuthFailures: "421 4.7.0 mx.test Too many authentication failures, closing connection",
		},
		NoLoginPhase: !authRequired,
		Hooks:        hooks,
		Sections: servertest.Sections{Delay: "RFC4954_9", Connections: "RFC5321_3_8",
			LoginTimeout: "RFC5321_4_5_3_2", Closing: "RFC5321_3_8", AuthFailures: "RFC4954_14"},
	}
}

// hooks are the BeforeCommand cases, after EHLO: a refused BDAT chunk
// is read and thrown away (RFC 3030 section 2), so the session stays in
// step.
var hooks = servertest.Hooks{
	Runs:    servertest.HookCase{Verb: VerbNOOP, Send: "NOOP\r\n", Want: []string{"250 2.0.0 OK"}, First: ehlo},
	Refusal: NewReply(CodeLocalError, EnhancedCode{4, 3, 0}, "Try later"),
	Refused: []servertest.HookCase{
		{Name: "a reply instead", Verb: VerbMAIL, Send: "MAIL FROM:<a@b.test>\r\nNOOP\r\n",
			Want: []string{"451 4.3.0 Try later", "250 2.0.0 OK"}, First: ehlo},
		{Name: "a refused chunk is skipped", Verb: VerbBDAT, Send: "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nBDAT 5 LAST\r\nhelloNOOP\r\n",
			Want: []string{"250 2.1.0 Sender OK", "250 2.1.5 Recipient OK", "451 4.3.0 Try later", "250 2.0.0 OK"}, First: ehlo},
	},
	Drop: ErrDropConnection,
}

// ehlo is the first command of every session.
var ehlo = Command{Verb: VerbEHLO, Arg: "client.test"}

func authPlain(user, pass string) string {
	return "AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+pass)) + "\r\n"
}

// lastLine returns the last line of one reply, or "" on an error.
func lastLine(s *servertest.Session) string {
	for {
		line := s.Line()
		if len(line) < 4 || line[3] != '-' {
			return line
		}
	}
}

// guessBackend accepts alice and bob with the password "secret" and
// counts every AUTH it checks.
type guessBackend struct{ tries atomic.Int64 }

func (b *guessBackend) NewSession(context.Context, *Conn) (Session, error) {
	return guessSession{b}, nil
}

type guessSession struct{ b *guessBackend }

func (guessSession) Mail(context.Context, string, *MailOptions) error { return nil }
func (guessSession) Rcpt(context.Context, string, *RcptOptions) error { return nil }
func (guessSession) Data(ctx context.Context, r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (guessSession) Reset(ctx context.Context)        {}
func (guessSession) Logout(ctx context.Context) error { return nil }
func (s guessSession) AuthPlain(ctx context.Context, _, user, pass string) error {
	s.b.tries.Add(1)
	if (user == "alice" || user == "bob") && pass == "secret" {
		return nil
	}
	return errors.New("no")
}

// TestThrottle runs issue 11's families against a submission server:
// failed AUTHs delayed by client (RFC 4954 section 9), connections
// bounded per client and a full server evicting the oldest session not
// authenticated with 421 4.7.0 (RFC 5321 section 3.8), the login timeout
// counted from the connection with 421 4.4.2 (RFC 5321 section
// 4.5.3.2), a session that waits out a delay ending with the 421 it is
// due, and one that fails AUTH too often closed (RFC 4954 section 14).
func TestThrottle(t *testing.T) { servertest.Throttle(t, submission) }

// TestLoginTimeout_NoLoginPhase_RFC5321_4_5_3_2: a server without
// AuthRequired (port 25) has no login phase: LoginTimeout does not apply
// there, and a trickle three LoginTimeouts long is served to its end.
func TestLoginTimeout_NoLoginPhase_RFC5321_4_5_3_2(t *testing.T) { servertest.LoginTimeout(t, relay) }

// TestAuthFailureDelayFields: zero fields take the defaults, set ones
// are used, and a negative AuthFailureDelay turns the delay off.
func TestAuthFailureDelayFields(t *testing.T) {
	servertest.AuthFailureDelayFields(t, func(s *Server) *netserver.FailureDelay { return s.core().FailureDelay() },
		&netserver.FailureDelay{Base: DefaultAuthFailureDelay, Max: DefaultMaxAuthFailureDelay, Reset: DefaultAuthFailureReset, MaxAddrs: DefaultMaxAuthFailureAddrs})
}
