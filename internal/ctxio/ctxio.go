// Package ctxio ties a client's network calls to a context.Context: the
// context's deadline becomes the connection's, and cancelling the context
// makes blocked I/O return at once. The SMTP, POP3 and IMAP clients share
// it.
package ctxio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// longAgo is a deadline in the past, which makes blocked I/O return.
var longAgo = time.Unix(1, 0)

// Begin makes conn's I/O follow ctx until end is called. A context that is
// already done returns its error and nothing is changed.
func Begin(ctx context.Context, conn net.Conn) (end func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dl, _ := ctx.Deadline()
	if err := conn.SetDeadline(dl); err != nil {
		return nil, err
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		conn.SetDeadline(longAgo)
		close(fired)
	})
	return func() {
		if !stop() {
			<-fired // so that the past deadline cannot land on a later call
		}
	}, nil
}

// Explain marks err, an I/O error of a call made under ctx, with the
// context's error when the context is why it failed, so that errors.Is(err,
// context.Canceled) and context.DeadlineExceeded work for callers.
func Explain(ctx context.Context, prefix string, err error) error {
	if ctx == nil {
		return err
	}
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%s: %w: %w", prefix, cerr, err)
	}
	if dl, ok := ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(dl) {
		return fmt.Errorf("%s: %w: %w", prefix, context.DeadlineExceeded, err)
	}
	return err
}
