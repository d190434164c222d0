package imap

import (
	"bytes"
	"compress/flate"
	"context"
	"io"
)

// Idle runs IDLE (RFC 2177) until ctx is done: the server sends updates
// as they happen and they reach the UnilateralHandler. When ctx ends the
// client sends DONE and waits for the tagged response, which Idle
// returns (nil for OK). RFC 2177 section 3 asks clients to restart IDLE
// at least every 29 minutes; give ctx such a deadline.
func (c *Client) Idle(ctx context.Context) error {
	bg := context.WithoutCancel(ctx)
	cmd, err := c.begin(bg, CmdIdle, nil)
	if err != nil {
		return err
	}
	c.w.CRLF()
	if _, err := c.continuation(bg, cmd); err != nil {
		c.finish(cmd)
		if isCommandDone(cmd) {
			_, err = c.wait(bg, cmd)
		}
		return err
	}
	select {
	case <-ctx.Done():
	case <-cmd.done: // the server ended IDLE itself
	case <-c.closed:
	}
	if !isCommandDone(cmd) {
		c.w.Raw("DONE\r\n")
	}
	if err := c.finish(cmd); err != nil {
		return err
	}
	_, err = c.wait(bg, cmd)
	return err
}

// Compress turns on COMPRESS=DEFLATE (RFC 4978): from the tagged OK on,
// both directions are raw DEFLATE streams.
func (c *Client) Compress(ctx context.Context) error {
	cmd, err := c.begin(ctx, CmdCompress, nil)
	if err != nil {
		return err
	}
	c.w.Raw(" DEFLATE")
	cmd.resume = make(chan struct{})
	defer close(cmd.resume)
	if err := c.end(cmd); err != nil {
		return err
	}
	if _, err := c.wait(ctx, cmd); err != nil {
		return err
	}
	fw, err := flate.NewWriter(c.conn, flate.DefaultCompression)
	if err != nil {
		return err
	}
	c.writeMu.Lock()
	early := bytes.NewReader(c.r.TakeBuffered())
	rd, wr := c.transport(flate.NewReader(io.MultiReader(early, c.conn)), &flushWriter{fw})
	c.r.Reset(rd)
	c.w.Reset(wr)
	c.writeMu.Unlock()
	return nil
}

// flushWriter flushes DEFLATE after each write: every command must reach
// the server whole (RFC 4978 section 4).
type flushWriter struct{ fw *flate.Writer }

func (w *flushWriter) Write(p []byte) (int, error) {
	n, err := w.fw.Write(p)
	if err == nil {
		err = w.fw.Flush()
	}
	return n, err
}
