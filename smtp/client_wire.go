package smtp

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mailwire/mailwire/internal/debugtrace"
)

// This file is the Client's protocol on its wire (internal/clientconn):
// replies in, commands out and what the trace hides.

// redactAuth shows the initial response of AUTH as debugtrace.Redacted
// (RFC 4954 section 4); the SASL responses that follow are sent with
// Wire.WriteSecret.
func redactAuth(line string) string {
	if len(line) > 5 && equalFoldASCII([]byte(line[:5]), "AUTH ") {
		if mech, ir, ok := strings.Cut(line[5:], " "); ok && ir != "" {
			return line[:5] + mech + " " + debugtrace.Redacted
		}
	}
	return line
}

// read reads one reply. A 421 means the server is closing the connection
// (RFC 5321 3.8), so it breaks the client too; so does the end of the
// connection, an error wrapping ErrClosed.
func (c *Client) read() (*Reply, error) {
	r, err := readReply(c.w.Reader(), clientMaxLines)
	if err != nil {
		if err == io.EOF {
			err = fmt.Errorf("%w: %w", ErrClosed, io.ErrUnexpectedEOF)
		}
		return nil, c.w.Fail(err)
	}
	c.traceReply(r)
	if r.Code == CodeServiceNotAvailable {
		c.w.Fail(r)
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
	c.w.WriteLine(line)
	if err := c.w.Flush(); err != nil {
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
