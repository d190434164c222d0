package smtp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// This file is the Client's plumbing: one network call under a context,
// command lines out, replies in, and the debug trace.

// longAgo is a deadline in the past, which makes blocked I/O return.
var longAgo = time.Unix(1, 0)

// do runs fn, which talks to the server, under ctx: the context's deadline
// becomes the connection's, and its cancellation sets a past deadline
// (context.AfterFunc) so that a blocked read or write returns at once.
func (c *Client) do(ctx context.Context, fn func() error) error {
	if err := c.begin(ctx); err != nil {
		return err
	}
	return c.end(fn())
}

// begin starts watching ctx; end must follow. A context that is already
// done fails the call without breaking the client: nothing was sent.
func (c *Client) begin(ctx context.Context) error {
	if c.err != nil {
		return c.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dl, _ := ctx.Deadline()
	if err := c.conn.SetDeadline(dl); err != nil {
		return c.fail(err)
	}
	// The watcher runs on its own goroutine: it must not read c.conn,
	// which StartTLS replaces; a deadline on the raw connection reaches the
	// TLS one built over it.
	conn := c.conn
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		conn.SetDeadline(longAgo)
		close(fired)
	})
	c.ctx = ctx
	c.watch = func() {
		if !stop() {
			<-fired // so that the past deadline cannot land on a later call
		}
	}
	return nil
}

// end stops the context watch and returns err.
func (c *Client) end(err error) error {
	if c.watch != nil {
		c.watch()
		c.watch = nil
	}
	c.ctx = nil
	return err
}

// fail breaks the client: the connection is closed and err, marked with the
// call's context error when that is why the I/O failed, is returned by this
// and every later call.
func (c *Client) fail(err error) error {
	if c.err != nil {
		return c.err
	}
	if ctx := c.ctx; ctx != nil {
		if cerr := ctx.Err(); cerr != nil {
			err = fmt.Errorf("smtp: %w: %w", cerr, err)
		} else if dl, ok := ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(dl) {
			err = fmt.Errorf("smtp: %w: %w", context.DeadlineExceeded, err)
		}
	}
	c.err = err
	c.state = StateClosed
	c.conn.Close()
	return err
}

// writeLine buffers one command line; it is sent by flush.
func (c *Client) writeLine(line string) {
	c.traceLine(line)
	c.bw.WriteString(line)
	c.bw.WriteString("\r\n")
}

// traceLine writes a command line to Debug, AUTH arguments redacted.
func (c *Client) traceLine(line string) {
	if c.Debug == nil {
		return
	}
	if c.redact {
		line = "<redacted>"
	} else if len(line) > 5 && equalFoldASCII([]byte(line[:5]), "AUTH ") {
		if mech, ir, ok := strings.Cut(line[5:], " "); ok && ir != "" {
			line = line[:5] + mech + " <redacted>"
		}
	}
	fmt.Fprintf(c.Debug, "C: %s\n", line)
}

// flush sends what was buffered.
func (c *Client) flush() error {
	if err := c.bw.Flush(); err != nil {
		return c.fail(err)
	}
	return nil
}

// read reads one reply. A 421 means the server is closing the connection
// (RFC 5321 3.8), so it breaks the client too.
func (c *Client) read() (*Reply, error) {
	r, err := readReply(c.br, clientMaxLines)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, c.fail(err)
	}
	c.traceReply(r)
	if r.Code == CodeServiceNotAvailable {
		c.fail(r)
	}
	return r, nil
}

// traceReply writes a reply to Debug as it was sent.
func (c *Client) traceReply(r *Reply) {
	if c.Debug == nil {
		return
	}
	for i, l := range r.Lines {
		sep := "-"
		if i == len(r.Lines)-1 {
			sep = " "
		}
		if r.Enhanced != NoEnhancedCode {
			l = r.Enhanced.String() + " " + l
		}
		fmt.Fprintf(c.Debug, "S: %s%s%s\n", strconv.Itoa(r.Code), sep, l)
	}
}

// cmd sends one command line and reads its reply.
func (c *Client) cmd(line string) (*Reply, error) {
	c.writeLine(line)
	if err := c.flush(); err != nil {
		return nil, err
	}
	return c.read()
}

// cmdExpect sends a command and turns a reply other than code into an
// error.
func (c *Client) cmdExpect(line string, code int) error {
	r, err := c.cmd(line)
	if err != nil {
		return err
	}
	if r.Code != code {
		return r
	}
	return nil
}

// expect reads a reply and turns one other than code into an error.
func (c *Client) expect(code int) error {
	r, err := c.read()
	if err != nil {
		return err
	}
	if r.Code != code {
		return r
	}
	return nil
}
