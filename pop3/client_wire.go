package pop3

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/mailwire/mailwire/internal/debugtrace"
	"github.com/mailwire/mailwire/internal/dotstream"
)

// This file is the Client's protocol on its wire (internal/clientconn):
// status lines and multi-line responses in, commands out and what the
// trace hides.

// redactCommand shows the secrets of a command line as
// debugtrace.Redacted: the argument of PASS (RFC 1939 section 7), the
// digest of APOP and the initial response of AUTH (RFC 5034 section 4);
// the SASL responses that follow are sent with Wire.WriteSecret.
func redactCommand(line string) string {
	verb, _, _ := strings.Cut(line, " ")
	switch {
	case strings.EqualFold(verb, "PASS"):
		return debugtrace.Redact([]byte(line), 1)
	case strings.EqualFold(verb, "APOP"), strings.EqualFold(verb, "AUTH"):
		return debugtrace.Redact([]byte(line), 2)
	}
	return line
}

// readLine reads one line without its line end; a line longer than the
// read buffer breaks the client.
func (c *Client) readLine() ([]byte, error) {
	line, err := c.w.Reader().ReadSlice('\n')
	if err != nil {
		if err == bufio.ErrBufferFull {
			return nil, c.w.Fail(fmt.Errorf("%w: line too long", ErrMalformedResponse))
		}
		if err == io.EOF {
			err = fmt.Errorf("%w: %w", ErrClosed, io.ErrUnexpectedEOF)
		}
		return nil, c.w.Fail(err)
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
		return nil, c.w.Fail(err)
	}
	return r, nil
}

// cmd sends one command and reads its status line; -ERR is returned as the
// error.
func (c *Client) cmd(line string) (*Response, error) {
	c.w.WriteLine(line)
	if err := c.w.Flush(); err != nil {
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
	r := dotstream.NewReader(c.w.Reader(), dotstream.Options{AllowBareNewlines: true, MaxSize: limit})
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return nil, c.w.Fail(fmt.Errorf("pop3: reading a multi-line response: %w", err))
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
