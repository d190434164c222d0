package pop3

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/mailwire/mailwire/internal/dotstream"

	"github.com/mailwire/mailwire/internal/ctxio"
)

// This file is the Client's plumbing: one network call under a context,
// command lines out, status lines and multi-line responses in, and the
// debug trace.

// do runs fn, which talks to the server, under ctx.
func (c *Client) do(ctx context.Context, fn func() error) error {
	if err := c.begin(ctx); err != nil {
		return err
	}
	return c.end(fn())
}

// begin starts watching ctx: its deadline becomes the connection's and its
// cancellation sets a past deadline, so that blocked I/O returns at once.
// end must follow. A context already done fails the call without breaking
// the client: nothing was sent.
func (c *Client) begin(ctx context.Context) error {
	if c.err != nil {
		return c.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	end, err := ctxio.Begin(ctx, c.conn)
	if err != nil {
		return c.fail(err)
	}
	c.ctx, c.watch = ctx, end
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
	err = ctxio.Explain(c.ctx, "pop3", err)
	c.err = err
	c.state = StateClosed
	c.conn.Close()
	return err
}

// writeLine buffers one command line; flush sends it.
func (c *Client) writeLine(line string) {
	if c.Debug != nil {
		trace := line
		switch {
		case c.redact:
			trace = "<redacted>"
		case len(line) > 5 && (line[:5] == "PASS " || line[:5] == "APOP " || line[:5] == "AUTH "):
			trace = line[:5] + "<redacted>"
		}
		fmt.Fprintf(c.Debug, "C: %s\n", trace)
	}
	c.bw.WriteString(line)
	c.bw.WriteString("\r\n")
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
			err = io.ErrUnexpectedEOF
		}
		return nil, c.fail(err)
	}
	line = trimEOL(line)
	if c.Debug != nil {
		fmt.Fprintf(c.Debug, "S: %s\n", line)
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
// line, unstuffed (RFC 1939 section 3), bounded by MaxListingBytes.
func (c *Client) readMultiLine() ([]byte, error) {
	limit := c.MaxListingBytes
	if limit == 0 {
		limit = DefaultMaxListingBytes
	}
	r := dotstream.NewReader(c.br, dotstream.Options{AllowBareNewlines: true, MaxSize: limit})
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return nil, c.fail(fmt.Errorf("pop3: reading a multi-line response: %w", err))
	}
	if c.Debug != nil {
		fmt.Fprintf(c.Debug, "S: [%d octets]\nS: .\n", buf.Len())
	}
	return buf.Bytes(), nil
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
