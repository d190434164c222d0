package wire

import (
	"errors"
	"io"
)

// Literal describes a literal header: {n}, {n+} (RFC 7888, sent by clients
// under LITERAL+ or LITERAL-) or ~{n} (literal8, RFC 3516).
type Literal struct {
	Size    int64
	NonSync bool // "{n+}": the sender does not wait for a continuation
	Binary  bool // "~{n}": may contain NUL (RFC 3516 section 4.1)
}

// LiteralHeader reads "{n}", "{n+}" or "~{n}" and the CRLF after it. A
// literal over MaxLiteral yields ErrLiteralTooLarge together with the
// header, so a server can refuse it (and discard a non-synchronizing one).
// The CRLF does not end the command: its budget (MaxLine) goes on across
// the literal. SyncLiteral is called only once the bytes are asked for
// (LiteralReader, String).
func (r *Reader) LiteralHeader() (Literal, error) {
	var l Literal
	l.Binary = r.Accept('~')
	if err := r.Expect('{'); err != nil {
		return l, err
	}
	n, err := r.Number64()
	if err != nil {
		return l, err
	}
	l.Size = int64(n)
	l.NonSync = r.Accept('+') || r.Accept('-')
	if err := r.Expect('}'); err != nil {
		return l, err
	}
	if err := r.lineBreak(); err != nil {
		return l, err
	}
	if l.Size > r.lim.MaxLiteral {
		return l, ErrLiteralTooLarge
	}
	return l, nil
}

func (r *Reader) sync(l Literal) error {
	if !l.NonSync && r.SyncLiteral != nil {
		return r.SyncLiteral(l)
	}
	return nil
}

// LiteralReader returns the bytes of the literal whose header was just read
// as a stream. The caller may stop early: the next read from r skips what
// remains.
func (r *Reader) LiteralReader(l Literal) (io.Reader, error) {
	if err := r.sync(l); err != nil {
		return nil, err
	}
	r.pending = l.Size
	return (*literalReader)(r), nil
}

type literalReader Reader

func (lr *literalReader) Read(p []byte) (int, error) {
	if lr.pending == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > lr.pending {
		p = p[:lr.pending]
	}
	n, err := lr.br.Read(p)
	lr.pending -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// WriteTo lets io.Copy move a literal straight out of the buffer.
func (lr *literalReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for lr.pending > 0 {
		if _, err := lr.br.Peek(1); err != nil {
			return total, io.ErrUnexpectedEOF
		}
		buf, _ := lr.br.Peek(int(min(int64(lr.br.Buffered()), lr.pending)))
		n, err := w.Write(buf)
		_, _ = lr.br.Discard(n)
		lr.pending -= int64(n)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// literalString reads a literal whose header was just read into memory,
// counting it against what is left of the command's MaxLine. One that
// does not fit is refused before SyncLiteral, so a client that waits for
// the continuation never sends its bytes.
func (r *Reader) literalString(l Literal) (string, error) {
	if l.Size > int64(r.lim.MaxLine-r.line) {
		return "", &LiteralError{Literal: l, Err: ErrLineTooLong}
	}
	if err := r.sync(l); err != nil {
		return "", err
	}
	buf := make([]byte, l.Size)
	if _, err := io.ReadFull(r.br, buf); err != nil {
		return "", unexpectedEOF(err)
	}
	r.line += int(l.Size)
	return string(buf), nil
}

// String reads a string (RFC 3501 section 9): quoted or literal. Literals
// are read into memory and count against MaxLine; use LiteralHeader and
// LiteralReader for message bodies.
func (r *Reader) String() (string, error) {
	c, err := r.Peek()
	if err != nil {
		return "", err
	}
	switch c {
	case '"':
		return r.Quoted()
	case '{', '~':
		l, err := r.LiteralHeader()
		if errors.Is(err, ErrLiteralTooLarge) {
			return "", &LiteralError{Literal: l, Err: err}
		}
		if err != nil {
			return "", err
		}
		return r.literalString(l)
	}
	return "", r.syntax("expected string, got " + quoteByte(c))
}
