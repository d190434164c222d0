package main

import (
	"bytes"
	"io"
)

// lfWriter turns the CRLF line ends of the wire (RFC 1939 section 3, RFC
// 5322 section 2.1) into the LF that Maildir files hold by convention, as
// Dovecot, Postfix's local(8) and procmail write them. Only a CR directly
// followed by LF is dropped; a bare CR is kept. A CR at the end of one
// Write is held until the next shows what follows it, so the conversion
// does not depend on how the stream is cut; Flush writes a CR still held.
type lfWriter struct {
	w      io.Writer
	heldCR bool
}

func (l *lfWriter) Write(p []byte) (int, error) {
	n := len(p)
	if l.heldCR && len(p) > 0 {
		l.heldCR = false
		if p[0] != '\n' {
			if _, err := l.w.Write([]byte{'\r'}); err != nil {
				return 0, err
			}
		}
	}
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\r')
		if i < 0 {
			break
		}
		if _, err := l.w.Write(p[:i]); err != nil {
			return 0, err
		}
		switch {
		case i+1 == len(p):
			l.heldCR = true
			return n, nil
		case p[i+1] == '\n':
			p = p[i+1:] // the LF starts the rest
		default:
			if _, err := l.w.Write(p[i : i+1]); err != nil {
				return 0, err
			}
			p = p[i+1:]
		}
	}
	if _, err := l.w.Write(p); err != nil {
		return 0, err
	}
	return n, nil
}

// Flush writes a CR held at the end of the stream.
func (l *lfWriter) Flush() error {
	if !l.heldCR {
		return nil
	}
	l.heldCR = false
	_, err := l.w.Write([]byte{'\r'})
	return err
}
