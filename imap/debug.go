package imap

import (
	"bytes"
	"strconv"

	"github.com/mailwire/mailwire/internal/debugtrace"
)

// debugTap splits one direction of the byte stream into lines for
// Server.Debug. Literals are shown as a count of octets, and the
// credentials of LOGIN and AUTHENTICATE as debugtrace.Redacted.
type debugTap struct {
	prefix  string
	line    []byte
	literal int64 // literal octets still to come
	redact  bool  // the command being read carries credentials
}

// tappedIO is the connection as the buffers see it when Debug is set: the
// bytes are copied to the Debug tap on their way in and out.
type tappedIO struct{ c *Conn }

func (t tappedIO) Read(p []byte) (int, error) {
	n, err := t.c.io.Read(p)
	if n > 0 {
		t.c.debugInput(p[:n])
	}
	return n, err
}

func (t tappedIO) Write(p []byte) (int, error) {
	t.c.debugOutput(p)
	return t.c.io.Write(p)
}

func (c *Conn) debugf(format string, args ...any) { c.line.Debugf(format, args...) }

func (c *Conn) debugInput(p []byte) {
	if c.debugIn == nil {
		c.debugIn = &debugTap{prefix: "C: "}
	}
	c.debugIn.feed(c, p, c.redact.Load())
}

func (c *Conn) debugOutput(p []byte) {
	if c.debugOut == nil {
		c.debugOut = &debugTap{prefix: "S: "}
	}
	c.debugOut.feed(c, p, false)
}

func (t *debugTap) feed(c *Conn, p []byte, redact bool) {
	for len(p) > 0 {
		if t.literal > 0 {
			n := min(int64(len(p)), t.literal)
			t.literal -= n
			p = p[n:]
			continue
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if len(t.line) < 4096 {
				t.line = append(t.line, p...)
			}
			return
		}
		t.line = append(t.line, p[:i]...)
		p = p[i+1:]
		t.emit(c, redact)
	}
}

// credentialWords returns how many words of a line to show when its
// command carries credentials, "tag LOGIN" (RFC 3501 section 6.2.3) or
// "tag AUTHENTICATE mechanism" (section 6.2.2), and 0 for other lines.
func credentialWords(line []byte) int {
	fields := bytes.Fields(line)
	switch {
	case len(fields) < 2:
		return 0
	case bytes.EqualFold(fields[1], []byte(VerbLOGIN.String())):
		return 2
	case bytes.EqualFold(fields[1], []byte(VerbAUTHENTICATE.String())):
		return 3
	}
	return 0
}

// emit logs one complete line and notes a literal announced at its end.
// The rest of a command with credentials, its literals and the lines of
// an AUTHENTICATE exchange (redact) show as the marker alone.
func (t *debugTap) emit(c *Conn, redact bool) {
	line := bytes.TrimSuffix(t.line, []byte("\r"))
	t.line = t.line[:0]
	switch keep := credentialWords(line); {
	case keep > 0:
		t.redact = true
		c.debugf("%s%s", t.prefix, debugtrace.Redact(line, keep))
	case t.redact || redact:
		c.debugf("%s%s", t.prefix, debugtrace.Redacted)
	default:
		c.debugf("%s%s", t.prefix, line)
	}
	if l, ok := literalAtEnd(line); ok {
		t.literal = l.Size
		if !t.redact && !redact {
			c.debugf("%s[%s octets]", t.prefix, strconv.FormatInt(l.Size, 10))
		}
		return
	}
	t.redact = false
}
