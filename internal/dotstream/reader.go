package dotstream

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// Errors for data that breaks a limit or the CRLF rules. They are sticky:
// once Read returns one, it returns it again; call Discard to skip to the end
// of the stream so that the connection stays in step.
var (
	ErrLineTooLong = errors.New("dotstream: line too long")
	ErrTooLarge    = errors.New("dotstream: data too large")
	ErrBareLF      = errors.New("dotstream: bare LF in data")
	ErrBareCR      = errors.New("dotstream: bare CR in data")
	ErrNUL         = errors.New("dotstream: NUL byte in data")
)

// Options are the limits and policies of a Reader. The zero value has no
// limits and rejects bare CR and bare LF.
type Options struct {
	// MaxLineLength limits a line, counted as sent (with its dot-stuffing
	// and its CRLF). RFC 5321 4.5.3.1.6 sets at least 1000. Zero: no limit.
	MaxLineLength int
	// MaxSize limits the unstuffed data. Zero: no limit.
	MaxSize int64
	// AllowBareNewlines passes a bare LF or bare CR through as data instead
	// of failing. It never makes one of them end the stream.
	AllowBareNewlines bool
	// RejectNUL fails on a NUL octet, which no text line may hold (RFC 5321
	// 4.5.2 needs only 7-bit or 8BITMIME text, neither of which allows NUL).
	RejectNUL bool
}

// Reader returns the unstuffed data of one stream; Read returns io.EOF after
// the terminating line, which is consumed and not returned.
type Reader struct {
	br  *bufio.Reader
	opt Options

	lineStart bool  // the last octet consumed ended a line with CRLF
	prevCR    bool  // the last octet consumed was CR, its LF not seen yet
	lineLen   int   // octets of the current line consumed so far
	size      int64 // unstuffed octets returned or skipped so far
	pending   []byte
	err       error
	done      bool
}

// NewReader returns a Reader that reads the stream from br. The stream must
// start at the beginning of a line.
func NewReader(br *bufio.Reader, opt Options) *Reader {
	return &Reader{br: br, opt: opt, lineStart: true}
}

// Read reads unstuffed data. After a content error it keeps returning that
// error; a connection that ends before the terminator gives
// io.ErrUnexpectedEOF.
func (r *Reader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.pending) == 0 {
			if r.done {
				if n > 0 {
					return n, nil
				}
				return 0, io.EOF
			}
			if r.err != nil {
				return n, r.err
			}
			// Return what we have rather than block on the network.
			if n > 0 && r.br.Buffered() == 0 {
				return n, nil
			}
			if err := r.fill(); err != nil {
				return n, err
			}
			continue
		}
		c := copy(p[n:], r.pending)
		r.pending = r.pending[c:]
		n += c
	}
	return n, nil
}

// WriteTo writes the unstuffed data to w until the terminator, without
// copying it through a caller's buffer; io.Copy uses it. It returns the
// same errors as Read.
func (r *Reader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if len(r.pending) > 0 {
			n, err := w.Write(r.pending)
			total += int64(n)
			r.pending = r.pending[n:]
			if err != nil {
				return total, err
			}
		}
		switch {
		case r.done:
			return total, nil
		case r.err != nil:
			return total, r.err
		}
		if err := r.fill(); err != nil {
			return total, err
		}
	}
}

// fill reads the next chunk of the stream into pending. An error is kept
// for every later call; a read error that came with the terminator is
// not one (the data is whole).
func (r *Reader) fill() error {
	chunk, ioErr := r.next()
	data, err := r.consume(chunk)
	if err == nil && ioErr != nil && !r.done {
		err = ioErr
	}
	if err != nil {
		r.err = err
		return err
	}
	r.pending = data
	return nil
}

// Size reports how many unstuffed octets the stream has had so far, counting
// those skipped by Discard.
func (r *Reader) Size() int64 { return r.size }

// Err returns the content error (a limit or a CRLF rule broken) that Read
// returned, or nil. I/O errors are not content errors.
func (r *Reader) Err() error {
	switch r.err {
	case ErrLineTooLong, ErrTooLarge, ErrBareLF, ErrBareCR, ErrNUL:
		return r.err
	}
	return nil
}

// Done reports whether the terminating line has been read.
func (r *Reader) Done() bool { return r.done }

// Discard reads and drops the rest of the stream up to and including its
// terminator, ignoring content errors and limits, so that the next command
// is read in step. It returns only I/O errors.
func (r *Reader) Discard() error {
	r.pending = nil
	for !r.done {
		chunk, ioErr := r.next()
		r.consume(chunk)
		if ioErr != nil && !r.done {
			return ioErr
		}
	}
	return nil
}

// next returns the next piece of a line: up to and including LF, or a full
// buffer of a long line.
func (r *Reader) next() ([]byte, error) {
	chunk, err := r.br.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		return chunk, nil
	case err == io.EOF:
		return chunk, io.ErrUnexpectedEOF
	}
	return chunk, err
}

// consume updates the framing state for chunk and returns its data with any
// stuffed dot removed, or the content error the chunk holds. The framing
// state is always updated, whatever the error, so Discard stays in step.
func (r *Reader) consume(chunk []byte) ([]byte, error) {
	if len(chunk) == 0 {
		return nil, nil
	}
	raw := len(chunk)
	if r.lineStart && chunk[0] == '.' {
		if raw == 3 && chunk[1] == '\r' && chunk[2] == '\n' {
			r.done = true
			return nil, nil
		}
		chunk = chunk[1:]
		if len(chunk) == 0 { // a long line's first chunk, or EOF
			r.lineStart = false
			r.lineLen++
			return nil, nil
		}
	}

	var err error
	complete := chunk[len(chunk)-1] == '\n'
	wasCR := r.prevCR
	r.prevCR = false
	r.lineStart = false
	if complete {
		crlf := len(chunk) >= 2 && chunk[len(chunk)-2] == '\r' || len(chunk) == 1 && wasCR
		r.lineStart = crlf
		if !crlf {
			err = ErrBareLF
		}
	} else if chunk[len(chunk)-1] == '\r' {
		r.prevCR = true
	}

	// A CR anywhere but just before the final LF (or at the very end, where
	// the next chunk decides) is bare; so is a CR carried over from the last
	// chunk when this one does not start with LF.
	if wasCR && chunk[0] != '\n' {
		err = ErrBareCR
	}
	body := chunk
	if complete || r.prevCR {
		body = chunk[:len(chunk)-1]
		if complete && len(body) > 0 && body[len(body)-1] == '\r' {
			body = body[:len(body)-1]
		}
	}
	if bytes.IndexByte(body, '\r') >= 0 {
		err = ErrBareCR
	}
	if err != nil && r.opt.AllowBareNewlines {
		err = nil
	}

	r.lineLen += raw
	if r.opt.MaxLineLength > 0 && r.lineLen > r.opt.MaxLineLength && err == nil {
		err = ErrLineTooLong
	}
	if complete {
		r.lineLen = 0
	}
	r.size += int64(len(chunk))
	if r.opt.MaxSize > 0 && r.size > r.opt.MaxSize && err == nil {
		err = ErrTooLarge
	}
	if err == nil && r.opt.RejectNUL && bytes.IndexByte(chunk, 0) >= 0 {
		err = ErrNUL
	}
	return chunk, err
}
