package pop3

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/mailwire/mailwire/internal/debugtrace"
	"github.com/mailwire/mailwire/internal/dotstream"
)

// This file is the Client's plumbing: one network call under a context,
// command lines out, status lines and multi-line responses in, and the
// debug trace.

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

// writeLine buffers one command line; flush sends it.
func (c *Client) writeLine(line string) {
	c.traceLine(line)
	c.bw.WriteString(line)
	c.bw.WriteString("\r\n")
}

// traceLine writes a command line to Debug with its secrets replaced by
// debugtrace.Redacted: a SASL response whole, the argument of PASS (RFC
// 1939 section 7), the digest of APOP and the initial response of AUTH
// (RFC 5034 section 4).
func (c *Client) traceLine(line string) {
	if c.opts.Debug == nil {
		return
	}
	verb, _, _ := strings.Cut(line, " ")
	switch {
	case c.redact:
		line = debugtrace.Redacted
	case strings.EqualFold(verb, "PASS"):
		line = debugtrace.Redact([]byte(line), 1)
	case strings.EqualFold(verb, "APOP"), strings.EqualFold(verb, "AUTH"):
		line = debugtrace.Redact([]byte(line), 2)
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

// readLine reads one line without its line end; a line longer than the
// read buffer breaks the client.
func (c *Client) readLine() ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		if err == bufio.ErrBufferFull {
			return nil, c.fail(fmt.Errorf("%w: line too long", ErrMalformedResponse))
		}
		if err == io.EOF {
			err = fmt.Errorf("%w: %w", ErrClosed, io.ErrUnexpectedEOF)
		}
		return nil, c.fail(err)
	}
	line = trimEOL(line)
	if c.opts.Debug != nil {
		debugtrace.Line(c.opts.Debug, debugtrace.Server, string(line))
	}
	return line, nil
}

// readStatus reads one status line (RFC 1939 section 3).
func (c *Client) readStatus() (*Response, error) {
	line, err := c.readLine()
	if err != nil {
		return nil, err
	}
	r, err := ParseResponse(line)
	if err != nil {
		return nil, c.fail(err)
	}
	return r, nil
}

// cmd sends one command and reads its status line; -ERR is returned as the
// error.
func (c *Client) cmd(line string) (*Response, error) {
	c.writeLine(line)
	if err := c.flush(); err != nil {
		return nil, err
	}
	return c.expectOK()
}

// expectOK reads a status line and turns -ERR into the error.
func (c *Client) expectOK() (*Response, error) {
	r, err := c.readStatus()
	if err != nil {
		return nil, err
	}
	if !r.OK {
		return nil, r
	}
	return r, nil
}

// readMultiLine reads the body of a multi-line response up to the "."
// line, unstuffed (RFC 1939 section 3), bounded by MaxListingBytes; Debug
// gets its lines.
func (c *Client) readMultiLine() ([]byte, error) {
	limit := c.opts.MaxListingBytes
	if limit == 0 {
		limit = DefaultMaxListingBytes
	}
	r := dotstream.NewReader(c.br, dotstream.Options{AllowBareNewlines: true, MaxSize: limit})
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return nil, c.fail(fmt.Errorf("pop3: reading a multi-line response: %w", err))
	}
	if c.opts.Debug != nil {
		for _, l := range lines(buf.Bytes()) {
			debugtrace.Line(c.opts.Debug, debugtrace.Server, string(l))
		}
		debugtrace.Line(c.opts.Debug, debugtrace.Server, ".")
	}
	return buf.Bytes(), nil
}

// traceMessage writes the n octets of a message that RETR or TOP read to
// Debug as a count, and the "." that ended it.
func (c *Client) traceMessage(n int64) {
	debugtrace.Octets(c.opts.Debug, debugtrace.Server, n)
	debugtrace.Line(c.opts.Debug, debugtrace.Server, ".")
}

// lines splits a multi-line body into lines without their line ends.
func lines(body []byte) [][]byte {
	var out [][]byte
	for len(body) > 0 {
		line, rest, _ := bytes.Cut(body, []byte{'\n'})
		out = append(out, bytes.TrimSuffix(line, []byte{'\r'}))
		body = rest
	}
	return out
}
