package imap

import (
	"io"
	"sync"

	"github.com/mailwire/mailwire/internal/debugtrace"
)

// clientDebug is a Client's Debug trace: a debugTap for each direction,
// and the lock that keeps their lines whole on Options.Debug, since the
// reading goroutine and the writers run apart. The received tap is the
// reading goroutine's alone, the sent one is fed under the write lock.
type clientDebug struct {
	mu             sync.Mutex
	w              io.Writer
	received, sent *debugTap
}

func newClientDebug(w io.Writer) *clientDebug {
	d := &clientDebug{w: w}
	d.received = &debugTap{w: d, side: debugtrace.Server}
	d.sent = &debugTap{w: d, side: debugtrace.Client, commands: true}
	return d
}

// Write passes one trace line on to Options.Debug.
func (d *clientDebug) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.w.Write(p)
}

// receivedTap feeds what the client reads to the trace.
type receivedTap struct{ c *Client }

// Write traces p, which never fails.
func (t receivedTap) Write(p []byte) (int, error) {
	t.c.debug.received.feed(p, false)
	return len(p), nil
}

// sentTap feeds what the client writes to the trace; the lines of an
// AUTHENTICATE exchange (Client.saslLines) show as debugtrace.Redacted.
type sentTap struct{ c *Client }

// Write traces p, which never fails.
func (t sentTap) Write(p []byte) (int, error) {
	t.c.debug.sent.feed(p, t.c.saslLines)
	return len(p), nil
}
