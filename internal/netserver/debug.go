package netserver

import (
	"bytes"
	"fmt"
	"io"
)

// RedactMarker stands in the Debug output for what a line hides:
// passwords, SASL data, tokens.
const RedactMarker = "***"

// Debugging reports whether the server has a Debug writer, so that a
// protocol formats a line for it only then.
func (l *Line) Debugging() bool { return l.base.settings.Debug != nil }

// Debugf writes one line to the server's Debug writer, if any: the
// client's address, then the text ("C: ..." for what the client sent,
// "S: ..." for what the server sent). Lines of all sessions share the
// writer; a lock keeps each whole.
func (l *Line) Debugf(format string, args ...any) {
	w := l.base.settings.Debug
	if w == nil {
		return
	}
	l.base.debugMu.Lock()
	defer l.base.debugMu.Unlock()
	fmt.Fprintf(w, "%s ", l.IO.Conn().RemoteAddr())
	fmt.Fprintf(w, format, args...)
	io.WriteString(w, "\n")
}

// Redact returns line for the Debug output with everything after its
// first keep words replaced by RedactMarker: "AUTH PLAIN ***" (RFC 4954
// section 4), "PASS ***" (RFC 1939 section 7), "a1 LOGIN ***" (RFC 3501
// section 6.2.3). A line of keep words or fewer is returned as it is.
func Redact(line []byte, keep int) string {
	i := 0
	for range keep {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		for i < len(line) && line[i] != ' ' {
			i++
		}
	}
	if len(bytes.TrimLeft(line[i:], " ")) == 0 {
		return string(line)
	}
	return string(line[:i]) + " " + RedactMarker
}
