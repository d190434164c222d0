package imap

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mailwire/mailwire/internal/netserver"
	"github.com/mailwire/mailwire/internal/servertest"
)

// imapProto describes the Server to internal/servertest: a guessBackend
// behind it, LOGIN (RFC 9051 section 6.2.3) and AUTHENTICATE PLAIN
// (6.2.2), and the BYE responses it ends sessions with (7.1.5), with the
// response codes of RFC 5530.
var imapProto = servertest.Protocol{
	Start: startGuess, Greeting: "* OK*", Reply: tagged,
	Login: imapLogin, AuthPlain: imapAuthenticate, Guesses: []servertest.Method{imapLogin, imapAuthenticate},
	LoggedIn: "a OK [CAPABILITY *", Failed: "a NO [AUTHENTICATIONFAILED] Authentication failed",
	Noop: "a NOOP", NoopReply: "a OK NOOP completed", NoopBeforeLogin: "a OK NOOP completed", Junk: "JUNK",
	Lines: servertest.Lines{
		TooManyConnections: "* BYE [UNAVAILABLE] Too many connections, try again later",
		Evicted:            "* BYE [UNAVAILABLE] Too many connections; closing one not logged in",
		LoginTimeout:       "* BYE Login timeout", ShuttingDown: "* BYE [UNAVAILABLE] Server shutting down",
		TooManyErrors: "* BYE Too many errors", TooManyAuthFailures: "* BYE Too many authentication failures",
	},
	Hooks: servertest.Hooks{
		Runs:    servertest.HookCase{Verb: VerbNOOP, Send: "a NOOP\r\n", Want: []string{"a OK NOOP completed"}, First: Command{Tag: "a", Verb: VerbNOOP}},
		Refusal: &StatusResponse{Type: StatusNO, Code: CodeUnavailable, Text: "Try later"},
		Refused: []servertest.HookCase{{Name: "a response instead", Verb: VerbLOGIN, Send: "a LOGIN alice secret\r\na NOOP\r\n",
			Want: []string{"a NO [UNAVAILABLE] Try later", "a OK NOOP completed"}, First: Command{Tag: "a", Verb: VerbLOGIN}}},
		Drop: ErrDropConnection,
	},
	Sections: servertest.Sections{Delay: "RFC9051_11_7", Connections: "RFC5530_3",
		LoginTimeout: "RFC9051_5_4", Closing: "RFC9051_7_1_5", AuthFailures: "RFC9051_7_1_5"},
}

// The two ways of guessing a password (RFC 9051 sections 6.2.3, 6.2.2).
var (
	imapLogin = servertest.Method{Name: "LOGIN", Send: func(user, pass string) string {
		return "a LOGIN " + user + " " + pass + "\r\n"
	}}
	imapAuthenticate = servertest.Method{Name: "AUTHENTICATE", Send: func(user, pass string) string {
		return "a AUTHENTICATE PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+pass)) + "\r\n"
	}}
)

// tagged reads up to the response tagged a and returns it, or "".
func tagged(s *servertest.Session) string {
	for {
		line := s.Line()
		if line == "" || strings.HasPrefix(line, "a ") {
			return line
		}
	}
}

// guessBackend accepts alice and bob with the password "secret", and
// counts every login it checks.
type guessBackend struct{ tries atomic.Int64 }

func (b *guessBackend) Login(_ context.Context, _ *Conn, user, pass string) (User, error) {
	b.tries.Add(1)
	if (user == "alice" || user == "bob") && pass == "secret" {
		return stubUser{name: user}, nil
	}
	return nil, errors.New("no")
}

// startGuess serves a guessBackend.
func startGuess(t *testing.T, cfg servertest.Config) *servertest.Server {
	b := &guessBackend{}
	return servertest.Start(t, cfg, &Server{Backend: b, AllowInsecureAuth: true}, b.tries.Load)
}

// stubUser is a user these tests only log in and out.
type stubUser struct {
	User
	name string
}

func (u stubUser) Username() string             { return u.name }
func (u stubUser) Logout(context.Context) error { return nil }

// TestThrottle runs issue 11's families against the Server: failed
// logins delayed by client (RFC 9051 section 11.7), connections bounded
// per client and a full server evicting the oldest session not logged
// in with BYE [UNAVAILABLE] (RFC 5530 section 3), the login timeout
// counted from the connection (RFC 9051 section 5.4), and a session that
// waits out a delay or fails too often ending with its BYE (7.1.5).
func TestThrottle(t *testing.T) { servertest.Throttle(t, imapProto) }

// TestAuthFailureDelayFields: zero fields take the defaults, set ones
// are used, and a negative AuthFailureDelay turns the delay off.
func TestAuthFailureDelayFields(t *testing.T) {
	servertest.AuthFailureDelayFields(t, func(s *Server) *netserver.FailureDelay { return s.core().FailureDelay() },
		&netserver.FailureDelay{Base: DefaultAuthFailureDelay, Max: DefaultMaxAuthFailureDelay, Reset: DefaultAuthFailureReset, MaxAddrs: DefaultMaxAuthFailureAddrs})
}
