package dotstream

import (
	"bufio"
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
func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, ErrClosed
	}
	start := 0
	for i := 0; i < len(p); i++ {
		b := p[i]
		if w.prevCR && b != '\n' {
			// The CR before this octet was bare.
			if !w.normalize {
				w.w.Write(p[start:i])
				return i, ErrBareCR
			}
			w.w.Write(p[start:i])
			w.w.WriteByte('\n')
			start = i
			w.prevCR = false
			w.lineStart = true
		}
		switch b {
		case '\r':
			w.prevCR = true
			w.lineStart = false
			continue
		case '\n':
			if !w.prevCR {
				w.w.Write(p[start:i])
				if !w.normalize {
					return i, ErrBareLF
				}
				w.w.WriteByte('\r')
				start = i
			}
			w.prevCR = false
			w.lineStart = true
			continue
		case '.':
			if w.lineStart {
				w.w.Write(p[start:i])
				w.w.WriteByte('.')
				start = i
			}
		}
		w.lineStart = false
	}
	_, err := w.w.Write(p[start:])
	if err != nil {
		return 0, err
	}
	return len(p), nil
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
