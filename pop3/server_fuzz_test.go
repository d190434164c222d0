package pop3_test

import (
	"bytes"
	"crypto/tls"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/memnet"
	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3mem"
)

// The options byte of FuzzServerSession picks the server's configuration.
const (
	fuzzTLS         = 1 << iota // STLS offered (RFC 2595 4)
	fuzzSecure                  // no USER/PASS or AUTH before TLS (RFC 2595 2.1)
	fuzzSmallLimits             // limits low enough for short inputs to hit
	fuzzPolicy                  // EXPIRE and LOGIN-DELAY advertised (RFC 2449 6.7, 6.8)
	fuzzLockstep                // one line at a time instead of pipelined
)

// fuzzMaildrop is alice's maildrop (password "secret") at the start of
// every session: a plain message, one whose lines need dot-stuffing (RFC
// 1939 section 3), one without a body, and a longer one for TOP.
var fuzzMaildrop = []string{
	"Subject: one\r\n\r\nHello\r\n",
	"Subject: dots\r\nX-A: b\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n",
	"From: a@b.test\r\nSubject: header only\r\n",
	"Subject: long\r\n\r\n" + strings.Repeat("line of body text\r\n", 20) + strings.Repeat("x", 300) + "\r\n",
}

// FuzzServerSession plays arbitrary client input against a real server
// over an in-memory connection, with a fresh pop3mem store per input, and
// checks every response: a status line "+OK", "-ERR" or a "+ " SASL
// continuation (RFC 1939 section 3, RFC 5034 section 4) of at most 512
// octets ending in CRLF, with a well-formed response code (RFC 2449
// section 8); multi-line responses dot-stuffed and dot-terminated, and
// holding what the maildrop holds (LIST, UIDL, RETR, TOP, STAT agree with
// the messages and the deletion marks); every command answered unless
// the server said it closes; nothing removed before QUIT, and after QUIT
// in TRANSACTION exactly the messages marked with DELE (RFC 1939 section
// 6). The session must end once the input does, without a panic, a hang
// or a goroutine left behind. STLS ends a pipelined group; after its +OK
// the client really starts TLS and sends the rest encrypted.
func FuzzServerSession(f *testing.F) {
	servertest.FuzzSessions(f, map[string]byte{"tls": fuzzTLS, "AllowInsecureAuth false": fuzzSecure,
		"Max*": fuzzSmallLimits, "Expire": fuzzPolicy}, runFuzzSession)
}

// fuzzServer configures a server as opts says.
func fuzzServer(opts byte, store *pop3mem.Store, tlsConfig *tls.Config, log *servertest.PanicLog) *pop3.Server {
	srv := &pop3.Server{Domain: "pop.test", Backend: store, Logger: log.Logger(),
		AllowInsecureAuth: opts&fuzzSecure == 0,
		AuthFailureDelay:  -1, // failed logins answered at once
	}
	if opts&fuzzTLS != 0 {
		srv.TLSConfig = tlsConfig
	}
	if opts&fuzzSmallLimits != 0 {
		srv.MaxLineLength, srv.MaxAuthLineLength = 40, 100
		srv.MaxErrors, srv.MaxAuthFailures = 4, 2
	}
	if opts&fuzzPolicy != 0 {
		srv.Expire, srv.LoginDelay = "NEVER", 15*time.Minute
	}
	return srv
}

// runFuzzSession runs one session and checks what it left behind.
func runFuzzSession(t *testing.T, pair *testcert.Pair, opts byte, input []byte) {
	store := &pop3mem.Store{}
	store.AddUser("alice", "secret")
	for _, m := range fuzzMaildrop {
		store.Deliver("alice", []byte(m))
	}
	uids := store.UIDs("alice")
	log := &servertest.PanicLog{}
	lockstep := opts&fuzzLockstep != 0
	ck := newResponseChecker(input, lockstep, store)
	servertest.FuzzRun{
		Server: fuzzServer(opts, store, pair.ServerConfig(), log), Closed: pop3.ErrServerClosed, Log: log,
		Script: memnet.Script{Segments: fuzzSegments(input, lockstep), Read: ck.read, TLS: pair.ClientConfig()},
		Check: func(t *testing.T) {
			if got, want := store.UIDs("alice"), ck.expectedUIDs(uids); !slices.Equal(got, want) {
				t.Fatalf("maildrop holds %v after the session, want %v (UPDATE ran: %v)", got, want, ck.updated)
			}
		},
	}.Run(t, input)
}

// fuzzSegments cuts input into what the client writes at once: every
// line in lockstep mode, else runs of lines up to and including each STLS.
func fuzzSegments(input []byte, lockstep bool) [][]byte {
	return servertest.Segments(input, lockstep, func(line []byte) bool {
		cmd, err := pop3.ParseCommand(trimLineEnd(line))
		return err == nil && cmd.Verb == pop3.VerbSTLS
	})
}

// trimLineEnd removes LF and a CR before it, as the server does.
func trimLineEnd(line []byte) []byte {
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r"))
}
