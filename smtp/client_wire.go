package smtp

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mailwire/mailwire/internal/debugtrace"
)

// This file is the Client's plumbing: one network call under a context,
// command lines out, replies in, and the debug trace.

// do runs fn, which talks to the server, as one call under ctx: the
// context's deadline becomes the connection's and its cancellation makes
// blocked I/O return at once (internal/ctxio).
func (c *Client) do(ctx context.Context, fn func() error) error {
	return c.calls.Do(ctx, c.conn, fn)
}

// begin starts a call under ctx; end must follow a nil return. A context
// that is already done fails the call without breaking the client.
func (c *Client) begin(ctx context.Context) error { return c.calls.Begin(ctx, c.conn) }

// end finishes the call and returns err.
func (c *Client) end(err error) error { return c.calls.End(err) }

// fail breaks the client: the connection is closed and err (marked with
// the call's context error when that is why the I/O failed) is returned by
// this and every later call.
func (c *Client) fail(err error) error { return c.calls.Fail(err, c.conn) }

// writeLine buffers one command line; it is sent by flush.
func (c *Client) writeLine(line string) {
	c.traceLine(line)
	c.bw.WriteString(line)
	c.bw.WriteString("\r\n")
}

// traceLine writes a command line to Debug, a SASL response and the
// initial response of AUTH replaced by debugtrace.Redacted.
func (c *Client) traceLine(line string) {
	if c.opts.Debug == nil {
		return
	}
	if c.redact {
		line = debugtrace.Redacted
	} else if len(line) > 5 && equalFoldASCII([]byte(line[:5]), "AUTH ") {
		if mech, ir, ok := strings.Cut(line[5:], " "); ok && ir != "" {
			line = line[:5] + mech + " " + debugtrace.Redacted
		}
	}
	debugtrace.Line(c.opts.Debug, debugtrace.Client, line)
}

// flush sends what was buffered.
func (c *Client) flush() error {
	if err := c.bw.Flush(); err != nil {
		return c.fail(err)
	}
	return nil
}

// read reads one reply. A 421 means the server is closing the connection
// (RFC 5321 3.8), so it breaks the client too; so does the end of the
// connection, an error wrapping ErrClosed.
func (c *Client) read() (*Reply, error) {
	r, err := readReply(c.br, clientMaxLines)
	if err != nil {
		if err == io.EOF {
			err = fmt.Errorf("%w: %w", ErrClosed, io.ErrUnexpectedEOF)
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
	if c.opts.Debug == nil {
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
		debugtrace.Line(c.opts.Debug, debugtrace.Server, strconv.Itoa(r.Code)+sep+l)
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

// command sends line, the command v, and reads and reports its reply
// (answered).
func (c *Client) command(v Verb, line string, ok ...int) error {
	r, err := c.cmd(line)
	if err != nil {
		return err
	}
	return c.answered(v, r, ok...)
}

// answered reports to the table what r made of the command v: accepted
// when its code is one of ok, refused otherwise, when r is returned as
// the error.
func (c *Client) answered(v Verb, r *Reply, ok ...int) error {
	for _, code := range ok {
		if r.Code == code {
			c.transition(v, OutcomeAccepted)
			return nil
		}
	}
	c.transition(v, OutcomeRefused)
	return r
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
