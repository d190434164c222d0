package wire

import (
	"bufio"
	"bytes"
	"io"
	"strings"
)

// Limits bound what a Reader accepts. A zero field takes the default.
type Limits struct {
	// MaxLine bounds the bytes of one command or response kept in
	// memory: its text up to the CRLF that ends it, across the lines that
	// literals continue it onto, with every literal read into memory
	// (String, AString, ...) counted in full. Literals streamed with
	// LiteralReader do not count. Default 64 KiB (RFC 7162 section 4 asks
	// for at least 8192 octets of command line; Dovecot's
	// imap_max_line_length spans the whole command the same way).
	MaxLine int
	// MaxLiteral bounds a streamed literal. Default 1 GiB.
	MaxLiteral int64
	// MaxDepth bounds the nesting of parenthesized lists, which body
	// structures and search keys use. Default 64.
	MaxDepth int
	// MaxSeqRanges bounds the ranges of all the sequence sets of one
	// command or response together (each comma-separated element of a
	// sequence-set, RFC 3501 section 9, is one range). Zero means no
	// limit: a server sets it, since every range costs it work.
	MaxSeqRanges int
}

// Default limits, chosen from common practice (Dovecot's
// imap_max_line_length is 64 KiB).
const (
	DefaultMaxLine    = 64 << 10
	DefaultMaxLiteral = 1 << 30
	DefaultMaxDepth   = 64
)

func (l Limits) withDefaults() Limits {
	if l.MaxLine <= 0 {
		l.MaxLine = DefaultMaxLine
	}
	if l.MaxLiteral <= 0 {
		l.MaxLiteral = DefaultMaxLiteral
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// Reader decodes IMAP tokens from a buffered stream. It is not safe for
// concurrent use; the imap client and server each own one per connection.
type Reader struct {
	br  *bufio.Reader
	lim Limits
	// Per-command state, reset by Begin and by the CRLF that ends a
	// command.
	line   int // bytes of the current command counted against MaxLine
	ranges int // sequence-set ranges of the current command
	depth  int // open lists and Enter levels

	pending int64 // bytes of a streamed literal the caller has not read
	scratch []byte

	// SyncLiteral, when set, is called after the header of a
	// synchronizing literal is read and before its bytes are: a server
	// sends its "+" continuation request there (RFC 3501 section 7.5).
	// An error aborts the read.
	SyncLiteral func(Literal) error
}

// NewReader returns a Reader over r with the given limits.
func NewReader(r io.Reader, lim Limits) *Reader {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 4096 {
		br = bufio.NewReaderSize(r, 16<<10)
	}
	return &Reader{br: br, lim: lim.withDefaults()}
}

// Reset discards buffered input and reads from r from now on. STARTTLS
// (RFC 3501 6.2.1, RFC 2595 section 3.1) and COMPRESS (RFC 4978) use it:
// bytes that arrived before the switch must not be interpreted after it.
func (r *Reader) Reset(rd io.Reader) {
	r.br.Reset(rd)
	r.pending = 0
	r.Begin()
}

// Begin starts a new command or response: the size budget, the count of
// sequence ranges and the nesting depth start again from zero, so that
// nothing a refused command left behind (an unclosed list, a half-read
// line) counts against the next one.
func (r *Reader) Begin() { r.line, r.ranges, r.depth = 0, 0, 0 }

// TakeBuffered returns a copy of the buffered input and empties the
// buffer; COMPRESS (RFC 4978) feeds those bytes to the decompressor, since
// they may already be compressed.
func (r *Reader) TakeBuffered() []byte {
	b, _ := r.br.Peek(r.br.Buffered())
	out := append([]byte(nil), b...)
	_, _ = r.br.Discard(len(b))
	return out
}

// Buffered reports how many bytes are buffered but not yet read; a server
// checks it before STARTTLS to detect pipelined plaintext.
func (r *Reader) Buffered() int { return r.br.Buffered() }

// Limits returns the limits in force.
func (r *Reader) Limits() Limits { return r.lim }

func (r *Reader) syntax(msg string) error { return &SyntaxError{Offset: r.line, Msg: msg} }

// settle drains what the caller left of a streamed literal, so that a
// forgotten body never desynchronizes the stream.
func (r *Reader) settle() error {
	if r.pending == 0 {
		return nil
	}
	n, err := r.br.Discard(int(min(r.pending, int64(^uint(0)>>1))))
	r.pending -= int64(n)
	return err
}

// Peek returns the next byte without consuming it.
func (r *Reader) Peek() (byte, error) {
	if err := r.settle(); err != nil {
		return 0, err
	}
	b, err := r.br.Peek(1)
	if err != nil {
		return 0, unexpectedEOF(err)
	}
	return b[0], nil
}

// PeekN returns the next n bytes without consuming them, or fewer at the
// end of the stream.
func (r *Reader) PeekN(n int) []byte {
	if r.settle() != nil {
		return nil
	}
	b, _ := r.br.Peek(n)
	return b
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// ReadByte consumes one byte of the current line.
func (r *Reader) ReadByte() (byte, error) {
	if err := r.settle(); err != nil {
		return 0, err
	}
	if r.line >= r.lim.MaxLine {
		return 0, ErrLineTooLong
	}
	b, err := r.br.ReadByte()
	if err != nil {
		return 0, unexpectedEOF(err)
	}
	r.line++
	return b, nil
}

// Expect consumes byte c or fails.
func (r *Reader) Expect(c byte) error {
	b, err := r.ReadByte()
	if err != nil {
		return err
	}
	if b != c {
		r.line--
		_ = r.br.UnreadByte()
		return r.syntax("expected " + quoteByte(c) + ", got " + quoteByte(b))
	}
	return nil
}

// Accept consumes byte c if it comes next and reports whether it did.
func (r *Reader) Accept(c byte) bool {
	b, err := r.Peek()
	if err != nil || b != c {
		return false
	}
	_, err = r.ReadByte()
	return err == nil
}

func quoteByte(c byte) string {
	switch {
	case c == ' ':
		return "SP"
	case c == '\r':
		return "CR"
	case c == '\n':
		return "LF"
	case c < 0x20 || c >= 0x7f:
		return "byte 0x" + string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15])
	}
	return `"` + string(c) + `"`
}

// SP consumes one space.
func (r *Reader) SP() error { return r.Expect(' ') }

// CRLF consumes the CRLF that ends a command or response and resets the
// per-command counts (Begin). A bare LF is accepted too, as robust peers
// do. The CRLF after a literal header is not this one: LiteralHeader
// reads it with lineBreak, so that the command's budget goes on.
func (r *Reader) CRLF() error {
	if err := r.lineBreak(); err != nil {
		return err
	}
	r.line, r.ranges = 0, 0
	return nil
}

// lineBreak consumes CRLF or LF, counting it against the budget.
func (r *Reader) lineBreak() error {
	b, err := r.ReadByte()
	if err != nil {
		return err
	}
	if b == '\r' {
		b, err = r.ReadByte()
		if err != nil {
			return err
		}
	}
	if b != '\n' {
		return r.syntax("expected CRLF, got " + quoteByte(b))
	}
	return nil
}

// scan consumes the longest run of bytes in class and returns it; the slice
// is valid until the next call.
func (r *Reader) scan(class uint16) ([]byte, error) {
	if err := r.settle(); err != nil {
		return nil, err
	}
	r.scratch = r.scratch[:0]
	for {
		if _, err := r.br.Peek(1); err != nil {
			if err == io.EOF && len(r.scratch) > 0 {
				return r.scratch, nil
			}
			return r.scratch, unexpectedEOF(err)
		}
		buf, _ := r.br.Peek(r.br.Buffered())
		i := 0
		for i < len(buf) && classes[buf[i]]&class != 0 {
			i++
		}
		if r.line+i > r.lim.MaxLine {
			return nil, ErrLineTooLong
		}
		r.scratch = append(r.scratch, buf[:i]...)
		r.line += i
		_, _ = r.br.Discard(i)
		if i < len(buf) {
			return r.scratch, nil
		}
	}
}

func (r *Reader) scan1(class uint16, what string) ([]byte, error) {
	b, err := r.scan(class)
	if err == nil && len(b) == 0 {
		c, _ := r.Peek()
		err = r.syntax("expected " + what + ", got " + quoteByte(c))
	}
	return b, err
}

// AtomBytes reads an atom (1*ATOM-CHAR) and returns it in a buffer valid
// until the next read, so that keywords can be compared without
// allocating.
func (r *Reader) AtomBytes() ([]byte, error) { return r.scan1(classAtom, "atom") }

// Atom reads an atom.
func (r *Reader) Atom() (string, error) {
	b, err := r.scan1(classAtom, "atom")
	return string(b), err
}

// Tag reads a command tag: 1*<any ASTRING-CHAR except "+">.
func (r *Reader) Tag() (string, error) {
	b, err := r.scan1(classTag, "tag")
	return string(b), err
}

// Text reads text up to the end of the line without consuming the CRLF
// (RFC 3501 section 9: text = 1*TEXT-CHAR; it may be empty here because
// many servers send "OK" with nothing after it).
func (r *Reader) Text() (string, error) {
	b, err := r.scan(classText)
	return string(b), err
}

// CodeText reads the argument of a response code: the bytes up to "]".
func (r *Reader) CodeText() (string, error) {
	b, err := r.scan(classCode)
	return string(b), err
}

// Number reads a number (RFC 3501 section 9): an unsigned 32-bit value.
func (r *Reader) Number() (uint32, error) {
	n, err := r.number(1<<32 - 1)
	return uint32(n), err
}

// Number64 reads a number64 (RFC 9051 section 9): 0 to 2^63-1.
func (r *Reader) Number64() (uint64, error) { return r.number(1<<63 - 1) }

func (r *Reader) number(max uint64) (uint64, error) {
	b, err := r.scan1(classDigit, "number")
	if err != nil {
		return 0, err
	}
	var n uint64
	for _, c := range b {
		d := uint64(c - '0')
		if n > (max-d)/10 {
			return 0, r.syntax("number out of range")
		}
		n = n*10 + d
	}
	return n, nil
}

// IsNIL reports whether NIL comes next, case-insensitively, without
// consuming it.
func (r *Reader) IsNIL() bool {
	b := r.PeekN(3)
	return len(b) == 3 && (b[0]|0x20) == 'n' && (b[1]|0x20) == 'i' && (b[2]|0x20) == 'l'
}

// NIL consumes NIL if it comes next and reports whether it did.
func (r *Reader) NIL() bool {
	if !r.IsNIL() {
		return false
	}
	for range 3 {
		if _, err := r.ReadByte(); err != nil {
			return false
		}
	}
	return true
}

// Quoted reads a quoted string with its \" and \\ escapes. The common
// case, no escapes, costs one allocation.
func (r *Reader) Quoted() (string, error) {
	if err := r.Expect('"'); err != nil {
		return "", err
	}
	b, err := r.scan(classQuoted)
	if err != nil {
		return "", err
	}
	if next := r.PeekN(1); len(next) == 1 && next[0] == '"' {
		s := string(b)
		_, err := r.ReadByte()
		return s, err
	}
	var sb strings.Builder
	sb.Write(b)
	for {
		c, err := r.ReadByte()
		if err != nil {
			return "", err
		}
		switch c {
		case '"':
			return sb.String(), nil
		case '\\':
			c, err = r.ReadByte()
			if err != nil {
				return "", err
			}
			if c != '"' && c != '\\' {
				return "", r.syntax("bad escape in quoted string")
			}
			sb.WriteByte(c)
		default:
			return "", r.syntax("unterminated quoted string")
		}
		b, err := r.scan(classQuoted)
		if err != nil {
			return "", err
		}
		sb.Write(b)
	}
}

// AString reads an astring: 1*ASTRING-CHAR or a string.
func (r *Reader) AString() (string, error) {
	c, err := r.Peek()
	if err != nil {
		return "", err
	}
	if c == '"' || c == '{' || c == '~' {
		return r.String()
	}
	b, err := r.scan1(classAString, "astring")
	return string(b), err
}

// NString reads an nstring: NIL (ok false) or a string.
func (r *Reader) NString() (s string, ok bool, err error) {
	if r.NIL() {
		return "", false, nil
	}
	s, err = r.String()
	return s, err == nil, err
}

// ListMailbox reads a list-mailbox: 1*list-char (wildcards allowed) or a
// string (RFC 3501 section 9).
func (r *Reader) ListMailbox() (string, error) {
	c, err := r.Peek()
	if err != nil {
		return "", err
	}
	if c == '"' || c == '{' || c == '~' {
		return r.String()
	}
	b, err := r.scan1(classList, "list-mailbox")
	return string(b), err
}

// List reads a parenthesized list, calling item for each element; item
// reads exactly one element. Elements are separated by single spaces.
// Nesting deeper than MaxDepth yields ErrTooDeep.
func (r *Reader) List(item func() error) error {
	return r.list(item, false)
}

// ListNoSP is List for lists whose elements follow each other without
// separators, such as body-type-mpart: 1*body.
func (r *Reader) ListNoSP(item func() error) error {
	return r.list(item, true)
}

func (r *Reader) list(item func() error, noSP bool) error {
	if err := r.Expect('('); err != nil {
		return err
	}
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > r.lim.MaxDepth {
		return ErrTooDeep
	}
	if r.Accept(')') {
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		if r.Accept(')') {
			return nil
		}
		if !noSP {
			if err := r.SP(); err != nil {
				return err
			}
		}
	}
}

// Enter and Leave bracket a recursion level that is not a List. An Enter
// that fails with ErrTooDeep leaves the depth as it was, so the caller
// must not call Leave for it.
func (r *Reader) Enter() error {
	if r.depth >= r.lim.MaxDepth {
		return ErrTooDeep
	}
	r.depth++
	return nil
}

// Leave ends a level opened with Enter.
func (r *Reader) Leave() { r.depth-- }

// SeqSet reads the characters of a sequence-set (RFC 3501 section 9) or
// "$" (RFC 5182); the imap package checks its structure. Its ranges count
// against MaxSeqRanges, summed over the command: past the limit it yields
// ErrTooManyRanges, with the set consumed so the command can be skipped.
func (r *Reader) SeqSet() (string, error) {
	b, err := r.scan1(classSeq, "sequence set")
	if err != nil {
		return "", err
	}
	if r.lim.MaxSeqRanges > 0 {
		r.ranges += bytes.Count(b, []byte{','}) + 1
		if r.ranges > r.lim.MaxSeqRanges {
			return "", ErrTooManyRanges
		}
	}
	return string(b), nil
}

// Flag reads a flag (RFC 3501 section 9): a keyword atom, "\" followed by
// an atom, or "\*" in PERMANENTFLAGS.
func (r *Reader) Flag() (string, error) {
	if !r.Accept('\\') {
		return r.Atom()
	}
	if r.Accept('*') {
		return `\*`, nil
	}
	b, err := r.AtomBytes()
	if err != nil {
		return "", err
	}
	return "\\" + string(b), nil
}

// NameBytes reads an atom that stops before "[", such as "BODY.PEEK" in
// "BODY.PEEK[TEXT]" (RFC 3501 section 9, fetch-att), into a buffer valid
// until the next read.
func (r *Reader) NameBytes() ([]byte, error) { return r.scan1(className, "name") }
