package dotstream

import (
	"bufio"
	"bytes"
	"errors"
)

// ErrClosed is returned by a Writer used after Close.
var ErrClosed = errors.New("dotstream: write after close")

// Writer dot-stuffs what is written to it and ends the stream on Close
// (RFC 5321 4.5.2). By default a bare CR or bare LF is an error, because the
// receiver could read it as a line end that the sender did not mean; with
// Normalize set each becomes CRLF.
type Writer struct {
	w         *bufio.Writer
	normalize bool
	lineStart bool
	prevCR    bool
	closed    bool
}

// NewWriter returns a Writer that writes the stuffed stream to w. The caller
// flushes w.
func NewWriter(w *bufio.Writer, normalize bool) *Writer {
	return &Writer{w: w, normalize: normalize, lineStart: true}
}

// Write stuffs p. On ErrBareCR or ErrBareLF part of p may have been written;
// the stream cannot be ended cleanly and the caller should drop the
// connection so that the receiver stores nothing.
//
// Lines are found with bytes.IndexByte and written whole, so a message of
// CRLF lines costs two vectorised scans and one copy.
func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, ErrClosed
	}
	done := 0
	for len(p) > 0 {
		if w.prevCR {
			w.prevCR = false
			if p[0] == '\n' {
				w.w.WriteByte('\n')
				w.lineStart = true
				p, done = p[1:], done+1
				continue
			}
			if !w.normalize {
				return done, ErrBareCR
			}
			w.w.WriteByte('\n')
			w.lineStart = true
		}
		if w.lineStart {
			if p[0] == '.' {
				w.w.WriteByte('.')
			}
			w.lineStart = false
		}
		lf := bytes.IndexByte(p, '\n')
		end := len(p)
		if lf >= 0 {
			end = lf
		}
		cr := bytes.IndexByte(p[:end], '\r')
		switch {
		case lf > 0 && cr == lf-1: // a CRLF line
			w.w.Write(p[:lf+1])
			w.lineStart = true
			p, done = p[lf+1:], done+lf+1
		case cr == len(p)-1: // CR at the end: the next Write decides
			w.w.Write(p)
			w.prevCR = true
			p, done = nil, done+len(p)
		case cr >= 0 || lf >= 0: // a bare CR or LF, whichever comes first
			at, bareErr := cr, ErrBareCR
			if cr < 0 {
				at, bareErr = lf, ErrBareLF
			}
			w.w.Write(p[:at])
			if !w.normalize {
				return done + at, bareErr
			}
			w.w.WriteString("\r\n")
			w.lineStart = true
			p, done = p[at+1:], done+at+1
		default:
			w.w.Write(p)
			p, done = nil, done+len(p)
		}
	}
	if _, err := w.w.Write(nil); err != nil {
		return 0, err
	}
	return done, nil
}

// Close ends the last line with CRLF if it is open and writes the
// terminating ".". It does not flush or close the underlying writer.
func (w *Writer) Close() error {
	if w.closed {
		return ErrClosed
	}
	w.closed = true
	if w.prevCR {
		if !w.normalize {
			return ErrBareCR
		}
		w.w.WriteByte('\n')
		w.lineStart = true
	}
	if !w.lineStart {
		w.w.WriteString("\r\n")
	}
	_, err := w.w.WriteString(".\r\n")
	return err
}
