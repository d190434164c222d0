package smtp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/mailwire/mailwire/internal/memnet"
	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/mailwire/mailwire/internal/testcert"
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

// fuzzDomain is the fuzzed server's Domain.
const fuzzDomain = "mx.test"

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
	servertest.FuzzSessions(f, map[string]byte{"LMTP": fuzzLMTP, "tls": fuzzTLS, "AllowInsecureAuth": fuzzInsecureAuth,
		"AuthRequired": fuzzAuthRequired, "AllowBareNewlines": fuzzBareNewlines, "Max*": fuzzSmallLimits}, runFuzzSession)
}

// fuzzServer configures a server as opts says.
func fuzzServer(opts byte, b Backend, tlsConfig *tls.Config, log *servertest.PanicLog) *Server {
	srv := &Server{Domain: fuzzDomain, Backend: b, Logger: log.Logger(),
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
	backend := &fuzzBackend{}
	log := &servertest.PanicLog{}
	srv := fuzzServer(opts, backend, pair.ServerConfig(), log)
	ck := &replyChecker{lmtp: srv.LMTP, stored: backend.count}
	segments := servertest.Segments(input, opts&fuzzLockstep != 0, func(line []byte) bool {
		v, _ := splitCommand(trimEOL(line))
		return v == VerbSTARTTLS
	})
	servertest.FuzzRun{
		Server: srv, Closed: ErrServerClosed, Log: log,
		Script: memnet.Script{Segments: segments, Read: ck.read, TLS: pair.ClientConfig()},
		Check:  func(t *testing.T) { checkStored(t, backend, ck, srv) },
	}.Run(t, input)
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
