package imap

import (
	"io"
	"sync"
	"sync/atomic"
)

// clientDebugTap copies the client's traffic to Options.Debug. The read loop and
// the writers run in different goroutines, so writes to Debug are
// serialised. While credentials are being sent (LOGIN, an AUTHENTICATE
// exchange) what the client writes is shown as one "[credentials
// redacted]" line instead, so a trace can be shared safely.
type clientDebugTap struct {
	mu       sync.Mutex
	w        io.Writer
	redact   atomic.Bool
	redacted bool // the marker was written for the current redaction
}

func (d *clientDebugTap) write(p []byte, sent bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if sent && d.redact.Load() {
		if !d.redacted {
			d.redacted = true
			io.WriteString(d.w, "[credentials redacted]\r\n")
		}
		return
	}
	d.w.Write(p)
}

// hide starts or ends a stretch of sent data that is not shown.
func (d *clientDebugTap) hide(on bool) {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.redact.Store(on)
	d.redacted = false
}

type clientTapWriter struct {
	d    *clientDebugTap
	sent bool
}

func (t clientTapWriter) Write(p []byte) (int, error) {
	t.d.write(p, t.sent)
	return len(p), nil
}
