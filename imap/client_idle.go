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
// returns (nil for OK); a server that does not answer within
// Options.CancelTimeout loses the connection. RFC 2177 section 3 asks clients to restart IDLE
// at least every 29 minutes; give ctx such a deadline.
func (c *Client) Idle(ctx context.Context) error {
	bg := context.WithoutCancel(ctx)
	cmd, err := c.begin(bg, VerbIDLE, nil)
	if err != nil {
		return err
	}
	// Once ctx ends the server has CancelTimeout to answer DONE (or to
	// send the "+" it still owes); then the connection is closed.
	defer c.watchCancel(ctx, cmd)()
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
	return c.runSwitching(ctx, VerbCOMPRESS, " DEFLATE", func() error {
		fw, err := newFlushWriter(c.conn)
		if err != nil {
			return err
		}
		c.writeMu.Lock()
		early := bytes.NewReader(c.r.TakeBuffered())
		rd, wr := c.transport(flate.NewReader(io.MultiReader(early, c.conn)), fw)
		c.r.Reset(rd)
		c.w.Reset(wr)
		c.writeMu.Unlock()
		return nil
	})
}

// flushWriter compresses each write into one DEFLATE sync-flushed chunk
// and sends it with a single write: every command reaches the server
// whole (RFC 4978 section 4), and a server that answers and hangs up
// at once never finds half a command still being written.
type flushWriter struct {
	conn io.Writer
	buf  bytes.Buffer
	fw   *flate.Writer
}

func newFlushWriter(conn io.Writer) (*flushWriter, error) {
	w := &flushWriter{conn: conn}
	fw, err := flate.NewWriter(&w.buf, flate.DefaultCompression)
	w.fw = fw
	return w, err
}

// Write sends p as one compressed, sync-flushed chunk.
func (w *flushWriter) Write(p []byte) (int, error) {
	w.buf.Reset()
	if _, err := w.fw.Write(p); err != nil {
		return 0, err
	}
	if err := w.fw.Flush(); err != nil {
		return 0, err
	}
	if _, err := w.conn.Write(w.buf.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}
