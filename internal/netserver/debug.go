package netserver

import (
	"fmt"
	"io"
)

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
	fmt.Fprintf(w, "%s ", l.RemoteAddr())
	fmt.Fprintf(w, format, args...)
	io.WriteString(w, "\n")
}
