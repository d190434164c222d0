package servertest

import (
	"bytes"
	"context"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/memnet"
	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/mailwire/mailwire/internal/transcript"
)

const (
	// FuzzMaxInput caps a fuzzed session's input, so that one session
	// stays fast.
	FuzzMaxInput = 4096
	// FuzzSessionTimeout is the generous bound that proves no hang.
	FuzzSessionTimeout = 10 * time.Second
)

// FuzzSessions is the body of a server's FuzzServerSession target: it
// seeds the corpus with the client side of the first connection of every
// testdata/transcripts/server/*.txt, the options byte made of its
// options by bits (transcript.Script.OptionBits), and runs each input,
// cut to FuzzMaxInput, with a certificate pair for STARTTLS or STLS.
func FuzzSessions(f *testing.F, bits map[string]byte, run func(t *testing.T, pair *testcert.Pair, opts byte, input []byte)) {
	TranscriptSeeds(f, bits, func(opts byte, input string) { f.Add(opts, input) })
	pair, err := testcert.New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, opts byte, input string) {
		run(t, pair, opts, []byte(input[:min(len(input), FuzzMaxInput)]))
	})
}

// TranscriptSeeds calls add, for every testdata/transcripts/server/*.txt,
// with its options folded into a byte by bits
// (transcript.Script.OptionBits) and the client side of its first
// connection: a fuzz target's seeds.
func TranscriptSeeds(f *testing.F, bits map[string]byte, add func(opts byte, input string)) {
	scripts, err := transcript.ParseGlob("testdata/transcripts/server/*.txt")
	if err != nil {
		f.Fatal(err)
	}
	for _, sc := range scripts {
		add(sc.OptionBits(bits), string(sc.Sent('C', 1)))
	}
}

// FuzzRun is one fuzzed session of a server.
type FuzzRun struct {
	// Server is served on an in-memory listener for the one session;
	// Closed is the error its Serve returns after Shutdown.
	Server Servable
	Closed error
	// Log is the server's Logger's handler.
	Log *PanicLog
	// Script plays the client (Timeout FuzzSessionTimeout if zero).
	Script memnet.Script
	// Check, if set, looks at what the session left behind once the
	// server has shut down.
	Check func(t *testing.T)
}

// Run plays the session, for input, and requires that the server
// neither panicked nor hung, that Shutdown finds no session left, that
// Serve then returns Closed, that Check passes, and that no goroutine
// outlives it all.
func (r FuzzRun) Run(t *testing.T, input []byte) {
	baseline := runtime.NumGoroutine()
	if r.Script.Timeout == 0 {
		r.Script.Timeout = FuzzSessionTimeout
	}
	client, server := memnet.Pipe()
	served := make(chan error, 1)
	go func() { served <- r.Server.Serve(memnet.Listen(server)) }()
	err := r.Script.Run(client)
	if r.Log.Panics() > 0 {
		t.Fatalf("server panicked on %q", input)
	}
	if err != nil {
		t.Fatalf("session on %q: %v", input, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), FuzzSessionTimeout)
	defer cancel()
	if err := r.Server.Shutdown(ctx); err != nil {
		t.Fatalf("session still running after its connection ended: %v", err)
	}
	if err := <-served; err != r.Closed {
		t.Fatalf("Serve returned %v", err)
	}
	if r.Check != nil {
		r.Check(t)
	}
	WaitGoroutines(t, baseline)
}

// WaitGoroutines waits until no more goroutines run than baseline: a
// server's may take a moment to return after it let go. It fails t
// after FuzzSessionTimeout.
func WaitGoroutines(t *testing.T, baseline int) {
	deadline := time.Now().Add(FuzzSessionTimeout)
	for runtime.NumGoroutine() > baseline {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left behind", runtime.NumGoroutine()-baseline)
		}
		time.Sleep(time.Millisecond)
	}
}

// Segments cuts input into what a client writes at once: every line in
// lockstep mode, else runs of lines up to and including each line that
// startsTLS (the STARTTLS or STLS command, which must end a pipelined
// group, RFC 3207 section 4 and RFC 2595 section 4).
func Segments(input []byte, lockstep bool, startsTLS func(line []byte) bool) [][]byte {
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

// PanicLog is a slog handler that counts a server's panic reports: the
// connection loop recovers, so a panic shows only in the log. The zero
// value is ready to use.
type PanicLog struct{ n atomic.Int64 }

// Logger returns a logger that writes to h.
func (h *PanicLog) Logger() *slog.Logger { return slog.New(h) }

// Panics returns how many panics were logged.
func (h *PanicLog) Panics() int64 { return h.n.Load() }

// Enabled reports that every record is handled.
func (h *PanicLog) Enabled(context.Context, slog.Level) bool { return true }

// Handle counts r if it reports a panic.
func (h *PanicLog) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "panic") {
		h.n.Add(1)
	}
	return nil
}

// WithAttrs returns h: attributes do not matter to it.
func (h *PanicLog) WithAttrs([]slog.Attr) slog.Handler { return h }

// WithGroup returns h.
func (h *PanicLog) WithGroup(string) slog.Handler { return h }
