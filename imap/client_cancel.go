package imap

import (
	"context"
	"time"
)

// DefaultCancelTimeout is the default Options.CancelTimeout.
const DefaultCancelTimeout = time.Second

// watchCancel bounds what is left of cmd once ctx ends. IMAP has no way
// to abandon a command halfway through its response (RFC 3501 section
// 5.5: the tagged response ends it), so the client gives the server
// CancelTimeout to finish — what arrives meanwhile is skipped, and the
// connection stays usable — and then closes the connection. That is what
// lets a context deadline end a FETCH whose literal stalls, a
// FetchCommand.Close waiting for the tagged response, or an IDLE whose
// DONE the server never answers; later calls then fail with ErrClosed.
// The goroutine it starts when ctx ends lives until cmd completes, the
// connection closes, or the timeout fires.
func (c *Client) watchCancel(ctx context.Context, cmd *command) (stop func() bool) {
	return context.AfterFunc(ctx, func() {
		t := time.NewTimer(c.cancelTimeout())
		defer t.Stop()
		select {
		case <-cmd.done:
		case <-c.closed:
		case <-t.C:
			c.conn.Close()
		}
	})
}

func (c *Client) cancelTimeout() time.Duration {
	if c.opts.CancelTimeout > 0 {
		return c.opts.CancelTimeout
	}
	return DefaultCancelTimeout
}
