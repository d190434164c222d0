package wire

import (
	"bufio"
	"errors"
	"io"
	"strconv"
)

// ErrLiteralSize reports a literal whose reader yielded a different number
// of bytes than announced; the stream is then unusable.
var ErrLiteralSize = errors.New("imap: literal reader did not match its announced size")

// maxQuoted is the longest string sent quoted rather than as a literal;
// long values go as literals so lines stay short.
const maxQuoted = 1024

// literalMinusMax is the largest non-synchronizing literal allowed under
// LITERAL- (RFC 7888 section 5).
const literalMinusMax = 4096

// Writer encodes IMAP tokens. Errors are sticky: after the first one every
// method does nothing and Flush returns it, in the manner of bufio.Writer.
type Writer struct {
	bw   *bufio.Writer
	out  *countingWriter
	err  error
	mark int64 // out.n when the current command began

	// LiteralPlus makes a client send every literal non-synchronizing
	// ({n+}, RFC 7888 LITERAL+); LiteralMinus only those of at most 4096
	// bytes (LITERAL-).
	LiteralPlus, LiteralMinus bool
	// UTF8 allows 8-bit bytes in quoted strings (RFC 6855 section 3,
	// RFC 9051); otherwise such strings go as literals.
	UTF8 bool
	// Continue, when set, is called after a synchronizing literal's header
	// has been flushed and must wait for the server's "+" (RFC 3501
	// section 7.5). A server leaves it nil: its literals never wait.
	Continue func() error
}

// countingWriter counts the bytes that reached the connection, so that a
// command nothing of which was sent can be abandoned cleanly.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// NewWriter returns a Writer over w. A *bufio.Writer is used as it is
// (and Abort is then unavailable); anything else gets a buffer.
func NewWriter(w io.Writer) *Writer {
	if bw, ok := w.(*bufio.Writer); ok {
		return &Writer{bw: bw}
	}
	out := &countingWriter{w: w}
	return &Writer{bw: bufio.NewWriterSize(out, 16<<10), out: out}
}

// Reset writes to w from now on (after STARTTLS or COMPRESS), dropping any
// unflushed bytes and the sticky error.
func (w *Writer) Reset(wr io.Writer) {
	w.out = &countingWriter{w: wr}
	w.bw.Reset(w.out)
	w.err = nil
}

// Mark notes the start of a command for Abort.
func (w *Writer) Mark() {
	if w.out != nil {
		w.mark = w.out.n
	}
}

// Abort drops what was written since Mark, and the sticky error, if none
// of it has reached the connection yet; it reports whether it could.
// A client uses it when a command fails before sending (ErrNotAtom).
func (w *Writer) Abort() bool {
	if w.out == nil || w.out.n != w.mark {
		return false
	}
	w.bw.Reset(w.out)
	w.err = nil
	return true
}

// Err returns the sticky error.
func (w *Writer) Err() error { return w.err }

// Fail makes err the sticky error, aborting the rest of a command.
func (w *Writer) Fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// Flush sends buffered bytes.
func (w *Writer) Flush() error {
	if w.err == nil {
		w.err = w.bw.Flush()
	}
	return w.err
}

// Raw writes s unchanged; the caller vouches for its syntax.
func (w *Writer) Raw(s string) *Writer {
	if w.err == nil {
		_, w.err = w.bw.WriteString(s)
	}
	return w
}

// RawBytes writes b unchanged.
func (w *Writer) RawBytes(b []byte) *Writer {
	if w.err == nil {
		_, w.err = w.bw.Write(b)
	}
	return w
}

// Byte writes one byte.
func (w *Writer) Byte(c byte) *Writer {
	if w.err == nil {
		w.err = w.bw.WriteByte(c)
	}
	return w
}

// SP writes a space.
func (w *Writer) SP() *Writer { return w.Byte(' ') }

// CRLF ends a line.
func (w *Writer) CRLF() *Writer { return w.Raw("\r\n") }

// ErrNotAtom reports a value that must go as an atom (a flag, a keyword,
// a capability name) but is not one; sending it could break the line or
// smuggle in a command, so the command fails instead.
var ErrNotAtom = errors.New("imap: value is not a valid atom")

// Atom writes s as an atom, or as a flag: "\" followed by an atom, or
// "\*" (RFC 3501 section 9, flag and flag-perm). Anything else fails with
// ErrNotAtom.
func (w *Writer) Atom(s string) *Writer {
	t := s
	if len(t) > 1 && t[0] == '\\' {
		t = t[1:]
	}
	if !IsAtom(t) && s != `\*` {
		w.Fail(ErrNotAtom)
		return w
	}
	return w.Raw(s)
}

// Number writes a number.
func (w *Writer) Number(n uint32) *Writer { return w.Number64(uint64(n)) }

// Number64 writes a number64.
func (w *Writer) Number64(n uint64) *Writer {
	if w.err == nil {
		var buf [20]byte
		_, w.err = w.bw.Write(strconv.AppendUint(buf[:0], n, 10))
	}
	return w
}

// NIL writes NIL.
func (w *Writer) NIL() *Writer { return w.Raw("NIL") }

// canQuote reports whether s fits in a quoted string.
func (w *Writer) canQuote(s string) bool {
	if len(s) > maxQuoted {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 0 || c == '\r' || c == '\n' || (c >= 0x80 && !w.UTF8) {
			return false
		}
	}
	return true
}

// Quoted writes s as a quoted string, escaping " and \; s must pass
// canQuote, so callers use String.
func (w *Writer) quoted(s string) *Writer {
	w.Byte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			w.Raw(s[start:i]).Byte('\\')
			start = i
		}
	}
	return w.Raw(s[start:]).Byte('"')
}

// String writes s as a quoted string when it can be one, else as a literal
// (RFC 3501 section 4.3).
func (w *Writer) String(s string) *Writer {
	if w.canQuote(s) {
		return w.quoted(s)
	}
	return w.literalString(s)
}

// AString writes s as an atom when it is one, else as a string.
func (w *Writer) AString(s string) *Writer {
	if IsAStringAtom(s) {
		return w.Raw(s)
	}
	return w.String(s)
}

// NString writes s as a string, or NIL when s is empty and nilIfEmpty.
func (w *Writer) NString(s string, nilIfEmpty bool) *Writer {
	if s == "" && nilIfEmpty {
		return w.NIL()
	}
	return w.String(s)
}

func (w *Writer) literalString(s string) *Writer {
	if !w.literalHeader(Literal{Size: int64(len(s))}) {
		return w
	}
	return w.Raw(s)
}

// Literal writes a literal of size bytes copied from r; binary selects the
// literal8 form ~{n} (RFC 3516). It fails with ErrLiteralSize if r yields
// a different number of bytes.
func (w *Writer) Literal(r io.Reader, size int64, binary bool) *Writer {
	if !w.literalHeader(Literal{Size: size, Binary: binary}) {
		return w
	}
	n, err := io.Copy(w.bw, io.LimitReader(r, size))
	if err == nil && n != size {
		err = ErrLiteralSize
	}
	w.Fail(err)
	return w
}

// literalHeader writes the header and, for a synchronizing literal, waits
// for the continuation; it reports whether the data may follow.
func (w *Writer) literalHeader(l Literal) bool {
	if w.err != nil {
		return false
	}
	l.NonSync = w.Continue != nil && (w.LiteralPlus || (w.LiteralMinus && l.Size <= literalMinusMax))
	if l.Binary {
		w.Byte('~')
	}
	w.Byte('{').Number64(uint64(l.Size))
	if l.NonSync {
		w.Byte('+')
	}
	w.Raw("}\r\n")
	if w.Continue != nil && !l.NonSync {
		if w.Flush() == nil {
			w.Fail(w.Continue())
		}
	}
	return w.err == nil
}

// Open starts a parenthesized list.
func (w *Writer) Open() *Writer { return w.Byte('(') }

// Close ends a parenthesized list.
func (w *Writer) Close() *Writer { return w.Byte(')') }

// Sep writes a space before every element of a list but the first.
func (w *Writer) Sep(i int) *Writer {
	if i > 0 {
		w.Byte(' ')
	}
	return w
}
