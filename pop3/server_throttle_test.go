package pop3

import (
	"context"
	"encoding/base64"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mailwire/mailwire/internal/netserver"
	"github.com/mailwire/mailwire/internal/servertest"
)

// pop3Proto describes the Server to internal/servertest: a guessBackend
// behind it, USER and PASS, APOP (RFC 1939 section 7) and AUTH PLAIN (RFC
// 5034), and the -ERR responses, with the codes of RFC 3206, it ends
// sessions with; the login timeout closes without a response (RFC 1939
// section 3).
var pop3Proto = servertest.Protocol{
	Start: startGuess, Greeting: "+OK*", Reply: (*servertest.Session).Line,
	Login: userPass, AuthPlain: authPlain, Guesses: []servertest.Method{apop, userPass, authPlain},
	LoggedIn: "+OK Maildrop has 0 messages (0 octets)", Failed: "-ERR [AUTH] no",
	Noop: "NOOP", NoopReply: "+OK", NoopBeforeLogin: "-ERR NOOP not allowed in the AUTHORIZATION state",
	Junk: "JUNK",
	Lines: servertest.Lines{
		TooManyConnections: "-ERR [SYS/TEMP] Too many connections, try again later",
		Evicted:            "-ERR [SYS/TEMP] Too many connections; closing one not logged in",
		ShuttingDown:       "-ERR [SYS/TEMP] Server shutting down", TooManyErrors: "-ERR Too many errors, closing connection",
		TooManyAuthFailures: "-ERR [AUTH] Too many failed logins, closing connection",
	},
	Hooks: servertest.Hooks{
		Runs:    servertest.HookCase{Verb: VerbUSER, Send: "USER alice\r\n", Want: []string{"+OK Send PASS"}, First: userAlice},
		Refusal: ErrResponse(CodeSysTemp, "Try later"),
		Refused: []servertest.HookCase{{Name: "a response instead", Verb: VerbUSER, Send: "USER alice\r\nNOOP\r\n",
			Want: []string{"-ERR [SYS/TEMP] Try later", "-ERR NOOP not allowed in the AUTHORIZATION state"}, First: userAlice}},
		Drop: ErrDropConnection,
	},
	Sections: servertest.Sections{Delay: "RFC1939_7", Connections: "RFC3206_4",
		LoginTimeout: "RFC1939_3", Closing: "RFC1939_3", AuthFailures: "RFC1939_4"},
}

// userAlice is the first command of every hook session.
var userAlice = Command{Verb: VerbUSER, Args: []string{"alice"}}

// The three ways of guessing a password (RFC 1939 section 7, RFC 5034).
var (
	userPass = servertest.Method{Name: "USER/PASS", Steps: []string{"+OK Send PASS"}, Send: func(user, pass string) string {
		return "USER " + user + "\r\nPASS " + pass + "\r\n"
	}}
	apop = servertest.Method{Name: "APOP", Send: func(user, _ string) string {
		return "APOP " + user + " " + strings.Repeat("0", 32) + "\r\n"
	}}
	authPlain = servertest.Method{Name: "AUTH", Send: func(user, pass string) string {
		return "AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+pass)) + "\r\n"
	}}
)

// guessBackend accepts alice and bob with the password (or APOP secret)
// "secret", and counts every login it checks.
type guessBackend struct{ tries atomic.Int64 }

func (b *guessBackend) Login(ctx context.Context, _ *Conn, user, pass string) (Maildrop, error) {
	return b.LoginAPOP(ctx, nil, user, func(secret string) bool { return secret == pass })
}

func (b *guessBackend) LoginAPOP(_ context.Context, _ *Conn, user string, verify func(string) bool) (Maildrop, error) {
	b.tries.Add(1)
	if (user == "alice" || user == "bob") && verify("secret") {
		return emptyMaildrop{}, nil
	}
	return nil, ErrResponse(CodeAuth, "no")
}

// startGuess serves a guessBackend.
func startGuess(t *testing.T, cfg servertest.Config) *servertest.Server {
	b := &guessBackend{}
	return servertest.Start(t, cfg, &Server{Domain: "pop.test", Backend: b, AllowInsecureAuth: true}, b.tries.Load)
}

// TestThrottle runs issue 11's families against the Server: failed
// logins delayed by client (RFC 1939 section 7), connections bounded per
// client and a full server evicting the oldest session not logged in
// with -ERR [SYS/TEMP] (RFC 3206 section 4), the login timeout counted
// from the connection and closing without a response (RFC 1939 section
// 3), and a session that fails to log in too often closed (section 4).
// POP3's former delay, per connection, let 50 connections have 25
// answers per second at its default of 2 s, and 2,500 at 20 ms.
func TestThrottle(t *testing.T) { servertest.Throttle(t, pop3Proto) }

// TestAuthFailureDelayFields: zero fields take the defaults, set ones
// are used, and a negative AuthFailureDelay turns the delay off.
func TestAuthFailureDelayFields(t *testing.T) {
	servertest.AuthFailureDelayFields(t, func(s *Server) *netserver.FailureDelay { return s.core().FailureDelay() },
		&netserver.FailureDelay{Base: DefaultAuthFailureDelay, Max: DefaultMaxAuthFailureDelay, Reset: DefaultAuthFailureReset, MaxAddrs: DefaultMaxAuthFailureAddrs})
}
