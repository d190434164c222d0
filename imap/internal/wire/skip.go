package wire

import (
	"bufio"
	"bytes"
)

// DiscardLine skips to the end of the current line, literals included as
// plain bytes; used to recover after a syntax error.
func (r *Reader) DiscardLine() error {
	if err := r.settle(); err != nil {
		return err
	}
	for {
		_, err := r.br.ReadSlice('\n')
		if err == nil {
			r.line = 0
			return nil
		}
		if err != bufio.ErrBufferFull {
			return unexpectedEOF(err)
		}
	}
}

// Discard skips n bytes of a literal that is not wanted, for example one
// refused as too large after a non-synchronizing header (RFC 7888 section 4).
func (r *Reader) Discard(n int64) error {
	for n > 0 {
		k, err := r.br.Discard(int(min(n, 1<<30)))
		n -= int64(k)
		if err != nil {
			return unexpectedEOF(err)
		}
	}
	return nil
}

// SkipLine discards the rest of the current line through its LF, a
// buffer at a time, counting the bytes against the command's MaxLine: a
// line that runs past the budget yields ErrLineTooLong as soon as the
// budget is spent, without waiting for an LF that may never come. The
// budget is not reset, since a literal at the line's end continues the
// command. tail receives the last bytes before the LF (the CR included)
// and SkipLine returns how many it holds, so that the caller can tell
// whether the line ended with a literal header.
func (r *Reader) SkipLine(tail []byte) (int, error) {
	if err := r.settle(); err != nil {
		return 0, err
	}
	n := 0
	for {
		if _, err := r.br.Peek(1); err != nil {
			return n, unexpectedEOF(err)
		}
		buf, _ := r.br.Peek(r.br.Buffered())
		end := bytes.IndexByte(buf, '\n')
		chunk := buf
		if end >= 0 {
			chunk = buf[:end]
		}
		if r.line+len(chunk)+1 > r.lim.MaxLine {
			return n, ErrLineTooLong
		}
		n = keepTail(tail, n, chunk)
		r.line += len(chunk)
		if end >= 0 {
			r.line++
			_, _ = r.br.Discard(end + 1)
			return n, nil
		}
		_, _ = r.br.Discard(len(chunk))
	}
}

// keepTail appends b to the n bytes held in tail, keeping the last
// len(tail), and returns how many it holds now.
func keepTail(tail []byte, n int, b []byte) int {
	if len(b) >= len(tail) {
		return copy(tail, b[len(b)-len(tail):])
	}
	if n+len(b) > len(tail) {
		drop := n + len(b) - len(tail)
		copy(tail, tail[drop:n])
		n -= drop
	}
	return n + copy(tail[n:], b)
}

// DiscardLiteral skips the n bytes of a non-synchronizing literal found
// while skipping a refused command, counting them against the command's
// budget as if they had been read: past it, ErrLineTooLong, before a byte
// is read.
func (r *Reader) DiscardLiteral(n int64) error {
	if n > int64(r.lim.MaxLine-r.line) {
		return ErrLineTooLong
	}
	r.line += int(n)
	return r.Discard(n)
}
