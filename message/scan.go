package message

import (
	"bufio"
	"bytes"
	"io"
)

// A lineReader hands out the input one line at a time, or in chunks of at
// most the buffer size for longer lines, and counts what it consumed: the
// byte offset feeds the part offsets of the structure summary and the count
// of line feeds its line counts. Slices it returns are valid until the next
// call.
type lineReader struct {
	br  *bufio.Reader
	off int64 // bytes consumed
	lf  int64 // line feeds consumed
}

// next returns the next line, its line end included, or a chunk of a line
// longer than the buffer. It returns io.EOF only with no data.
func (l *lineReader) next() ([]byte, error) {
	line, err := l.br.ReadSlice('\n')
	switch err {
	case nil:
		l.lf++
	case bufio.ErrBufferFull:
		err = nil
	case io.EOF:
		if len(line) > 0 {
			err = nil
		}
	}
	l.off += int64(len(line))
	return line, err
}

// peek returns the input buffered so far, reading more first if there is
// none. The slice is valid until the next call that reads.
func (l *lineReader) peek() ([]byte, error) {
	if l.br.Buffered() == 0 {
		if _, err := l.br.Peek(1); err != nil {
			return nil, err
		}
	}
	b, _ := l.br.Peek(l.br.Buffered())
	return b, nil
}

// consume moves past the first n bytes of b, the slice peek returned.
func (l *lineReader) consume(b []byte, n int) {
	l.br.Discard(n)
	l.off += int64(n)
	l.lf += int64(bytes.Count(b[:n], lf))
}
