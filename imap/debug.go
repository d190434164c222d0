package imap

import (
	"bytes"
	"io"
	"strconv"

	"github.com/mailwire/mailwire/internal/debugtrace"
)

// maxDebugLine is how much of one line a debugTap keeps; of a longer line
// the trace shows the start and how many octets it left out.
const maxDebugLine = 4096

// maxLiteralHeader holds the longest literal header a line can end with,
// "~{" 18 digits "+}" and the CR.
const maxLiteralHeader = 24

// debugTap splits one direction of the byte stream into the lines of a
// Debug trace (internal/debugtrace), for Server.Debug and Options.Debug
// alike. Literals are shown as a count of octets; in a stream of commands
// the credentials of LOGIN and AUTHENTICATE are shown as
// debugtrace.Redacted.
type debugTap struct {
	w        io.Writer // takes each trace line in one Write
	side     debugtrace.Side
	commands bool // the stream carries commands, which may hold credentials

	line    []byte
	tail    []byte // the last octets of a line too long to keep whole
	cut     int64  // octets of the line left out
	literal int64  // literal octets still to come
	count   bool   // the literal's count is still to be traced
	redact  bool   // the command being read carries credentials
}

// feed takes the next octets of the stream; redact shows its lines as the
// marker alone (an AUTHENTICATE exchange).
func (t *debugTap) feed(p []byte, redact bool) {
	for len(p) > 0 {
		if t.literal > 0 {
			if t.count {
				// Once the octets flow: a synchronizing literal's come
				// after the continuation.
				t.count = false
				debugtrace.Octets(t.w, t.side, t.literal)
			}
			n := min(int64(len(p)), t.literal)
			t.literal -= n
			p = p[n:]
			continue
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			t.keep(p)
			return
		}
		t.keep(p[:i])
		p = p[i+1:]
		t.emit(redact)
	}
}

// keep adds p to the line: up to maxDebugLine octets, and of the rest only
// the last few, where a literal header would stand.
func (t *debugTap) keep(p []byte) {
	if room := maxDebugLine - len(t.line); room > 0 {
		n := min(room, len(p))
		t.line = append(t.line, p[:n]...)
		p = p[n:]
	}
	if len(p) == 0 {
		return
	}
	t.cut += int64(len(p))
	t.tail = append(t.tail, p...)
	if extra := len(t.tail) - maxLiteralHeader; extra > 0 {
		t.tail = append(t.tail[:0], t.tail[extra:]...)
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

// emit traces one complete line and notes a literal announced at its end.
// The rest of a command with credentials, its literals and the lines of
// an AUTHENTICATE exchange (redact) show as the marker alone.
func (t *debugTap) emit(redact bool) {
	line := bytes.TrimSuffix(t.line, []byte("\r"))
	end := line
	if t.cut > 0 {
		end = t.tail
	}
	l, isLiteral := literalAtEnd(end)
	keep := 0
	if t.commands {
		keep = credentialWords(line)
	}
	switch {
	case keep > 0:
		t.redact = true
		debugtrace.Line(t.w, t.side, debugtrace.Redact(line, keep))
	case t.redact || redact:
		debugtrace.Line(t.w, t.side, debugtrace.Redacted)
	case t.cut > 0:
		cut := t.cut - int64(len(t.tail)-len(bytes.TrimSuffix(t.tail, []byte("\r"))))
		debugtrace.Line(t.w, t.side, string(line)+" [+"+strconv.FormatInt(cut, 10)+" octets]")
	default:
		debugtrace.Line(t.w, t.side, string(line))
	}
	t.line, t.tail, t.cut = t.line[:0], t.tail[:0], 0
	if isLiteral {
		t.literal = l.Size
		t.count = !t.redact && !redact
		if l.Size == 0 && t.count {
			t.count = false
			debugtrace.Octets(t.w, t.side, 0)
		}
		return
	}
	t.redact = false
}

// tappedIO is the connection as the server's buffers see it when Debug is
// set: the bytes are copied to the Debug taps on their way in and out.
type tappedIO struct{ c *Conn }

// Read reads from the connection and traces what came.
func (t tappedIO) Read(p []byte) (int, error) {
	n, err := t.c.io.Read(p)
	if n > 0 {
		t.c.debugInput(p[:n])
	}
	return n, err
}

// Write traces p and writes it to the connection.
func (t tappedIO) Write(p []byte) (int, error) {
	t.c.debugOutput(p)
	return t.c.io.Write(p)
}

// serverDebug hands each trace line to Server.Debug through the
// connection's netserver.Line, which puts the client's address first.
type serverDebug struct{ c *Conn }

// Write logs p, one trace line, without its newline.
func (d serverDebug) Write(p []byte) (int, error) {
	d.c.line.Debugf("%s", bytes.TrimSuffix(p, []byte("\n")))
	return len(p), nil
}

func (c *Conn) debugInput(p []byte) {
	if c.debugIn == nil {
		c.debugIn = &debugTap{w: serverDebug{c}, side: debugtrace.Client, commands: true}
	}
	c.debugIn.feed(p, c.redact.Load())
}

func (c *Conn) debugOutput(p []byte) {
	if c.debugOut == nil {
		c.debugOut = &debugTap{w: serverDebug{c}, side: debugtrace.Server}
	}
	c.debugOut.feed(p, false)
}
