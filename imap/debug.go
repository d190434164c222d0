package imap

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// debugTap splits one direction of the byte stream into lines for
// Server.Debug. Literals are shown as a count of octets, and the
// credentials of LOGIN and AUTHENTICATE as "***".
type debugTap struct {
	prefix  string
	line    []byte
	literal int64 // literal octets still to come
	redact  bool  // the command being read carries credentials
}

func (c *Conn) debugf(format string, args ...any) {
	w := c.srv.Debug
	if w == nil {
		return
	}
	c.srv.debugMu.Lock()
	defer c.srv.debugMu.Unlock()
	fmt.Fprintf(w, "%s ", c.io.Conn().RemoteAddr())
	fmt.Fprintf(w, format, args...)
	io.WriteString(w, "\n")
}

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

// emit logs one complete line and notes a literal announced at its end.
func (t *debugTap) emit(c *Conn, redact bool) {
	line := bytes.TrimSuffix(t.line, []byte("\r"))
	t.line = t.line[:0]
	fields := bytes.Fields(line)
	if len(fields) >= 2 {
		verb := string(bytes.ToUpper(fields[1]))
		if verb == CmdLogin || verb == CmdAuthenticate {
			t.redact = true
			c.debugf("%s%s %s ***", t.prefix, fields[0], verb)
		}
	}
	switch {
	case t.redact || redact:
		if len(fields) < 2 || !bytes.EqualFold(fields[1], []byte(CmdLogin)) && !bytes.EqualFold(fields[1], []byte(CmdAuthenticate)) {
			c.debugf("%s***", t.prefix)
		}
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
