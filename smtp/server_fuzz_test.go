package smtp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/memnet"
	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/mailwire/mailwire/internal/transcript"
)

// The options byte of FuzzServerSession picks the server's configuration,
// so that one target reaches LMTP, STARTTLS, AUTH and every limit.
const (
	fuzzLMTP         = 1 << iota // LMTP mode (RFC 2033)
	fuzzTLS                      // STARTTLS offered (RFC 3207)
	fuzzInsecureAuth             // AUTH over cleartext
	fuzzAuthRequired             // MAIL needs AUTH first (RFC 6409 4.3)
	fuzzBareNewlines             // bare CR and LF allowed in DATA
	fuzzSmallLimits              // limits low enough for short inputs to hit
	fuzzLockstep                 // one line at a time instead of pipelined
)

const (
	// fuzzMaxInput caps an input, so that one session stays fast.
	fuzzMaxInput = 4096
	// fuzzSessionTimeout is the generous bound that proves no hang.
	fuzzSessionTimeout = 10 * time.Second
	fuzzDomain         = "mx.test"
)

// FuzzServerSession plays arbitrary client input against a real server
// over an in-memory connection, with a fresh backend per input, and checks
// every reply against RFC 5321 4.2 (a code of 2yz to 5yz, "ddd-" lines then
// one "ddd " line, CRLF, at most 512 octets, RFC 5321 4.5.3.1.5) and RFC
// 2034 (an enhanced code of the reply's class on every line but the
// greeting, the EHLO/HELO reply and 3yz); that nothing follows 221 or 421;
// that each message the backend stored was answered 250 at the end of its
// data (RFC 5321 4.1.1.4, RFC 3030 BDAT LAST, one per recipient in LMTP,
// RFC 2033 4.2) and nothing else was; and that the session ends once the
// input does, without a panic, a hang or a goroutine left behind. STARTTLS
// ends a pipelined group; when the server says 220 the client really
// starts TLS and sends the rest encrypted.
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

// addTranscriptSeeds adds the client side of every server transcript,
// with the options its header names.
func addTranscriptSeeds(f *testing.F) {
	scripts, err := transcript.ParseGlob("testdata/transcripts/server/*.txt")
	if err != nil {
		f.Fatal(err)
	}
	bits := map[string]byte{"LMTP": fuzzLMTP, "tls": fuzzTLS, "AllowInsecureAuth": fuzzInsecureAuth,
		"AuthRequired": fuzzAuthRequired, "AllowBareNewlines": fuzzBareNewlines, "Max*": fuzzSmallLimits}
	for _, sc := range scripts {
		f.Add(sc.OptionBits(bits), string(sc.Sent('C', 1)))
	}
}

// fuzzServer configures a server as opts says.
func fuzzServer(opts byte, b Backend, tlsConfig *tls.Config, panics *atomic.Int64) *Server {
	srv := &Server{Domain: fuzzDomain, Backend: b, Logger: slog.New(panicCounter{panics}),
		AuthFailureDelay:  -1, // failed AUTHs answered at once
		LMTP:              opts&fuzzLMTP != 0,
		AllowInsecureAuth: opts&fuzzInsecureAuth != 0,
		AuthRequired:      opts&fuzzAuthRequired != 0,
		AllowBareNewlines: opts&fuzzBareNewlines != 0,
	}
	if opts&fuzzTLS != 0 {
		srv.TLSConfig = tlsConfig
	}
	if opts&fuzzSmallLimits != 0 {
		srv.MaxLineLength, srv.MaxTextLineLength = 80, 100
		srv.MaxMessageBytes, srv.MaxRecipients, srv.MaxErrors = 300, 3, 5
	}
	return srv
}

// runFuzzSession runs one session and checks what it left behind.
func runFuzzSession(t *testing.T, pair *testcert.Pair, opts byte, input []byte) {
	baseline := runtime.NumGoroutine()
	backend := &fuzzBackend{}
	var panics atomic.Int64
	srv := fuzzServer(opts, backend, pair.ServerConfig(), &panics)
	client, server := memnet.Pipe()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(memnet.Listen(server)) }()

	ck := &replyChecker{lmtp: srv.LMTP, stored: backend.count}
	script := memnet.Script{
		Segments: fuzzSegments(input, opts&fuzzLockstep != 0, func(line []byte) bool {
			v, _ := splitCommand(trimEOL(line))
			return v == VerbSTARTTLS
		}),
		Read:    ck.read,
		TLS:     pair.ClientConfig(),
		Timeout: fuzzSessionTimeout,
	}
	err := script.Run(client)
	if panics.Load() > 0 {
		t.Fatalf("server panicked on %q", input)
	}
	if err != nil {
		t.Fatalf("session on %q: %v", input, err)
	}
	checkStored(t, backend, ck, srv)
	ctx, cancel := context.WithTimeout(context.Background(), fuzzSessionTimeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("session still running after its connection ended: %v", err)
	}
	if err := <-served; err != ErrServerClosed {
		t.Fatalf("Serve returned %v", err)
	}
	waitGoroutines(t, baseline)
}

// checkStored compares what the backend stored with what was answered.
func checkStored(t *testing.T, b *fuzzBackend, ck *replyChecker, srv *Server) {
	msgs := b.messages()
	if len(msgs) != ck.accepted {
		t.Fatalf("backend stored %d messages, the client was told 250 for %d", len(msgs), ck.accepted)
	}
	for _, m := range msgs {
		if len(m.to) == 0 || len(m.to) > srv.limits().MaxRecipients {
			t.Fatalf("message stored for %d recipients", len(m.to))
		}
		if max := srv.limits().MaxMessageBytes; max > 0 && int64(len(m.data)) > max {
			t.Fatalf("message of %d octets stored over the limit of %d", len(m.data), max)
		}
	}
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
// in lockstep mode, else runs of lines up to and including each STARTTLS.
func fuzzSegments(input []byte, lockstep bool, startsTLS func(line []byte) bool) [][]byte {
	var segs [][]byte
	start := 0
	for i := 0; i < len(input); {
		end := bytes.IndexByte(input[i:], '\n')
		if end < 0 {
			break
		}
		line := input[i : i+end+1]
		i += end + 1
		if lockstep || startsTLS(line) {
			segs = append(segs, input[start:i])
			start = i
		}
	}
	if start < len(input) {
		segs = append(segs, input[start:])
	}
	return segs
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

// fuzzBackend stores what its sessions accept and refuses chosen input,
// so the fuzzer reaches the error paths: sender reject@... (550) and
// error@... (a plain error, 451), recipient unknown@... (550), data that
// holds "REFUSE" (554). AUTH PLAIN and LOGIN take alice / secret.
type fuzzBackend struct {
	mu   sync.Mutex
	msgs []fuzzMessage
}

type fuzzMessage struct {
	from string
	to   []string
	data []byte
}

func (b *fuzzBackend) NewSession(context.Context, *Conn) (Session, error) {
	return &fuzzSession{b: b}, nil
}

func (b *fuzzBackend) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.msgs)
}

func (b *fuzzBackend) messages() []fuzzMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]fuzzMessage(nil), b.msgs...)
}

type fuzzSession struct {
	b   *fuzzBackend
	msg fuzzMessage
}

func (s *fuzzSession) Mail(ctx context.Context, from string, _ *MailOptions) error {
	switch {
	case strings.HasPrefix(from, "reject@"):
		return NewReply(CodeMailboxUnavailable, EnhancedCode{5, 7, 1}, "Sender rejected")
	case strings.HasPrefix(from, "error@"):
		return errors.New("backend failure")
	}
	s.msg = fuzzMessage{from: from}
	return nil
}

func (s *fuzzSession) Rcpt(ctx context.Context, to string, _ *RcptOptions) error {
	if strings.HasPrefix(to, "unknown@") {
		return NewReply(CodeMailboxUnavailable, EnhancedCode{5, 1, 1}, "No such user")
	}
	s.msg.to = append(s.msg.to, to)
	return nil
}

func (s *fuzzSession) Data(ctx context.Context, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if bytes.Contains(data, []byte("REFUSE")) {
		return NewReply(CodeTransactionFailed, EnhancedCode{5, 7, 1}, "Content refused")
	}
	s.msg.data = data
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, s.msg)
	s.b.mu.Unlock()
	s.msg = fuzzMessage{}
	return nil
}

func (s *fuzzSession) Reset(ctx context.Context)        { s.msg = fuzzMessage{} }
func (s *fuzzSession) Logout(ctx context.Context) error { return nil }

func (s *fuzzSession) AuthPlain(ctx context.Context, identity, user, pass string) error {
	if user == "alice" && pass == "secret" && (identity == "" || identity == "alice") {
		return nil
	}
	return errors.New("bad password")
}
