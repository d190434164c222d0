package pop3_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/memnet"
	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/mailwire/mailwire/internal/transcript"
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

const (
	// fuzzMaxInput caps an input, so that one session stays fast.
	fuzzMaxInput = 4096
	// fuzzSessionTimeout is the generous bound that proves no hang.
	fuzzSessionTimeout = 10 * time.Second
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
	addTranscriptSeeds(f)
	pair, err := testcert.New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, opts byte, input string) {
		if len(input) > fuzzMaxInput {
			input = input[:fuzzMaxInput]
		}
		runFuzzSession(t, pair, opts, []byte(input))
	})
}

// addTranscriptSeeds adds the client side of the first connection of
// every server transcript, with the options its header names.
func addTranscriptSeeds(f *testing.F) {
	scripts, err := transcript.ParseGlob("testdata/transcripts/server/*.txt")
	if err != nil {
		f.Fatal(err)
	}
	bits := map[string]byte{"tls": fuzzTLS, "AllowInsecureAuth false": fuzzSecure,
		"Max*": fuzzSmallLimits, "Expire": fuzzPolicy}
	for _, sc := range scripts {
		f.Add(sc.OptionBits(bits), string(sc.Sent('C', 1)))
	}
}

// fuzzServer configures a server as opts says.
func fuzzServer(opts byte, store *pop3mem.Store, tlsConfig *tls.Config, panics *atomic.Int64) *pop3.Server {
	srv := &pop3.Server{Domain: "pop.test", Backend: store, Logger: slog.New(panicCounter{panics}),
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
	baseline := runtime.NumGoroutine()
	store := &pop3mem.Store{}
	store.AddUser("alice", "secret")
	for _, m := range fuzzMaildrop {
		store.Deliver("alice", []byte(m))
	}
	uids := store.UIDs("alice")
	var panics atomic.Int64
	srv := fuzzServer(opts, store, pair.ServerConfig(), &panics)
	client, server := memnet.Pipe()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(memnet.Listen(server)) }()

	lockstep := opts&fuzzLockstep != 0
	ck := newResponseChecker(input, lockstep, store)
	script := memnet.Script{
		Segments: fuzzSegments(input, lockstep),
		Read:     ck.read,
		TLS:      pair.ClientConfig(),
		Timeout:  fuzzSessionTimeout,
	}
	err := script.Run(client)
	if panics.Load() > 0 {
		t.Fatalf("server panicked on %q", input)
	}
	if err != nil {
		t.Fatalf("session on %q: %v", input, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), fuzzSessionTimeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("session still running after its connection ended: %v", err)
	}
	if err := <-served; err != pop3.ErrServerClosed {
		t.Fatalf("Serve returned %v", err)
	}
	if got, want := store.UIDs("alice"), ck.expectedUIDs(uids); !slices.Equal(got, want) {
		t.Fatalf("maildrop holds %v after the session, want %v (UPDATE ran: %v)", got, want, ck.updated)
	}
	waitGoroutines(t, baseline)
}

// waitGoroutines waits until no more goroutines run than before the
// session: the server's may take a moment to return after it let go.
func waitGoroutines(t *testing.T, baseline int) {
	deadline := time.Now().Add(fuzzSessionTimeout)
	for runtime.NumGoroutine() > baseline {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left behind", runtime.NumGoroutine()-baseline)
		}
		time.Sleep(time.Millisecond)
	}
}

// fuzzSegments cuts input into what the client writes at once: every line
// in lockstep mode, else runs of lines up to and including each STLS.
func fuzzSegments(input []byte, lockstep bool) [][]byte {
	var segs [][]byte
	start := 0
	for i := 0; i < len(input); {
		end := bytes.IndexByte(input[i:], '\n')
		if end < 0 {
			break
		}
		line := input[i : i+end+1]
		i += end + 1
		cmd, err := pop3.ParseCommand(trimLineEnd(line))
		if lockstep || err == nil && cmd.Verb == pop3.VerbSTLS {
			segs = append(segs, input[start:i])
			start = i
		}
	}
	if start < len(input) {
		segs = append(segs, input[start:])
	}
	return segs
}

// trimLineEnd removes LF and a CR before it, as the server does.
func trimLineEnd(line []byte) []byte {
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r"))
}

// panicCounter is a slog handler that counts the server's panic reports:
// the connection loop recovers, so a panic shows only in the log.
type panicCounter struct{ n *atomic.Int64 }

func (h panicCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h panicCounter) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "panic") {
		h.n.Add(1)
	}
	return nil
}
func (h panicCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h panicCounter) WithGroup(string) slog.Handler      { return h }
