package wire

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestReader(s string) *Reader { return NewReader(strings.NewReader(s), Limits{}) }

// TestAtom_RFC3501_9 reads atoms and stops at atom-specials.
func TestAtom_RFC3501_9(t *testing.T) {
	tests := []struct{ in, atom string }{
		{"FETCH ", "FETCH"},
		{"BODY[TEXT]", "BODY[TEXT"}, // "[" is an ATOM-CHAR, "]" is not
		{"a(b", "a"},
		{"x{3}", "x"},
		{"%y", ""},
		{"\\Seen)", ""},
	}
	for _, tt := range tests {
		got, err := newTestReader(tt.in).Atom()
		if tt.atom == "" {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.atom, got)
	}
	name, err := newTestReader("BODY.PEEK[1]").NameBytes()
	require.NoError(t, err)
	assert.Equal(t, "BODY.PEEK", string(name))
}

// TestQuoted_RFC3501_4_3 reads quoted strings with their escapes.
func TestQuoted_RFC3501_4_3(t *testing.T) {
	got, err := newTestReader(`"say \"hi\" C:\\dir" `).Quoted()
	require.NoError(t, err)
	assert.Equal(t, `say "hi" C:\dir`, got)
	got, err = newTestReader(`"Grüße" `).Quoted() // RFC 9051 9: utf8-quoted
	require.NoError(t, err)
	assert.Equal(t, "Grüße", got)
	for _, bad := range []string{`"abc`, "\"a\r\nb\"", `"a\b"`} {
		_, err := newTestReader(bad).Quoted()
		assert.Error(t, err, bad)
	}
}

// TestLiteral_RFC3501_4_3 reads synchronizing literals, in memory and as
// streams, and checks that a server's SyncLiteral hook runs before the
// data is read.
func TestLiteral_RFC3501_4_3(t *testing.T) {
	r := newTestReader("{11}\r\nhello world rest")
	var synced []Literal
	r.SyncLiteral = func(l Literal) error { synced = append(synced, l); return nil }
	s, err := r.String()
	require.NoError(t, err)
	assert.Equal(t, "hello world", s)
	assert.Equal(t, []Literal{{Size: 11}}, synced)
	require.NoError(t, r.SP())
	a, err := r.Atom()
	require.NoError(t, err)
	assert.Equal(t, "rest", a)

	// A stream the caller abandons half-way is skipped by the next read.
	r = newTestReader("{10}\r\n0123456789 NIL\r\n")
	l, err := r.LiteralHeader()
	require.NoError(t, err)
	lr, err := r.LiteralReader(l)
	require.NoError(t, err)
	buf := make([]byte, 4)
	_, err = io.ReadFull(lr, buf)
	require.NoError(t, err)
	assert.Equal(t, "0123", string(buf))
	require.NoError(t, r.SP())
	assert.True(t, r.NIL())
	require.NoError(t, r.CRLF())
}

// TestNonSyncLiteral_RFC7888_4 reads {n+}: SyncLiteral is not called.
func TestNonSyncLiteral_RFC7888_4(t *testing.T) {
	r := newTestReader("{3+}\r\nabc")
	r.SyncLiteral = func(Literal) error { t.Fatal("no continuation for {n+}"); return nil }
	s, err := r.String()
	require.NoError(t, err)
	assert.Equal(t, "abc", s)
}

// TestLiteral8_RFC3516_4_1 reads ~{n}, which may carry NUL.
func TestLiteral8_RFC3516_4_1(t *testing.T) {
	r := newTestReader("~{3}\r\na\x00b")
	l, err := r.LiteralHeader()
	require.NoError(t, err)
	assert.Equal(t, Literal{Size: 3, Binary: true}, l)
	lr, err := r.LiteralReader(l)
	require.NoError(t, err)
	b, err := io.ReadAll(lr)
	require.NoError(t, err)
	assert.Equal(t, []byte("a\x00b"), b)
}

// TestNumber_RFC3501_9 reads number (32 bits) and number64 (RFC 9051 9).
func TestNumber_RFC3501_9(t *testing.T) {
	n, err := newTestReader("4294967295 ").Number()
	require.NoError(t, err)
	assert.Equal(t, uint32(4294967295), n)
	_, err = newTestReader("4294967296 ").Number()
	assert.Error(t, err)
	n64, err := newTestReader("9223372036854775807)").Number64()
	require.NoError(t, err)
	assert.Equal(t, uint64(1<<63-1), n64)
	_, err = newTestReader("9223372036854775808)").Number64()
	assert.Error(t, err)
}

// TestList_RFC3501_9 reads nested lists, empty lists and NIL.
func TestList_RFC3501_9(t *testing.T) {
	r := newTestReader(`(a (b "c") () NIL)`)
	var got []string
	var walk func() error
	walk = func() error {
		c, _ := r.Peek()
		switch {
		case c == '(':
			got = append(got, "(")
			return r.List(walk)
		case r.NIL():
			got = append(got, "NIL")
			return nil
		}
		s, err := r.AString()
		got = append(got, s)
		return err
	}
	require.NoError(t, walk())
	assert.Equal(t, []string{"(", "a", "(", "b", "c", "(", "NIL"}, got)
}

// TestLimits checks that exceeding each limit is an error value, not a
// panic or unbounded memory.
func TestLimits(t *testing.T) {
	r := NewReader(strings.NewReader(strings.Repeat("a", 100)+"\r\n"), Limits{MaxLine: 50})
	_, err := r.Atom()
	assert.ErrorIs(t, err, ErrLineTooLong)

	r = NewReader(strings.NewReader("{100}\r\n"), Limits{MaxLine: 50})
	_, err = r.String()
	assert.ErrorIs(t, err, ErrLineTooLong, "an in-memory literal counts against the line")

	r = NewReader(strings.NewReader("{1000000}\r\n"), Limits{MaxLiteral: 1000})
	l, err := r.LiteralHeader()
	assert.ErrorIs(t, err, ErrLiteralTooLarge)
	assert.Equal(t, int64(1000000), l.Size, "the header is returned so a server can discard it")

	deep := strings.Repeat("(", 100) + strings.Repeat(")", 100)
	r = NewReader(strings.NewReader(deep), Limits{MaxDepth: 10})
	var walk func() error
	walk = func() error { return r.List(walk) }
	assert.ErrorIs(t, walk(), ErrTooDeep)
}

// TestCRLF accepts CRLF and bare LF and rejects the rest.
func TestCRLF(t *testing.T) {
	assert.NoError(t, newTestReader("\r\n").CRLF())
	assert.NoError(t, newTestReader("\n").CRLF())
	var se *SyntaxError
	assert.ErrorAs(t, newTestReader("x").CRLF(), &se)
	assert.ErrorIs(t, newTestReader("").CRLF(), io.ErrUnexpectedEOF)
}

// TestWriterForms_RFC3501_4 checks that strings take the cheapest valid
// form: atom, quoted or literal.
func TestWriterForms_RFC3501_4(t *testing.T) {
	tests := []struct {
		in, out string
		utf8    bool
	}{
		{"INBOX", "INBOX", false},
		{"", `""`, false},
		{"two words", `"two words"`, false},
		{`a"b\c`, `"a\"b\\c"`, false},
		{"line\r\nbreak", "{11}\r\nline\r\nbreak", false},
		{"Grüße", "{7}\r\nGrüße", false},
		{"Grüße", `"Grüße"`, true},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		w.UTF8 = tt.utf8
		w.AString(tt.in)
		require.NoError(t, w.Flush())
		assert.Equal(t, tt.out, buf.String(), tt.in)
	}
}

// TestWriterLiteral_RFC7888 checks synchronizing and non-synchronizing
// literals on the client side.
func TestWriterLiteral_RFC7888(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	waits := 0
	w.Continue = func() error { waits++; return nil }
	w.Literal(strings.NewReader("abc"), 3, false)
	require.NoError(t, w.Flush())
	assert.Equal(t, "{3}\r\nabc", buf.String())
	assert.Equal(t, 1, waits)

	buf.Reset()
	w.LiteralMinus = true
	w.Literal(strings.NewReader("abc"), 3, false).Literal(strings.NewReader(strings.Repeat("x", 5000)), 5000, false)
	require.NoError(t, w.Flush())
	assert.True(t, strings.HasPrefix(buf.String(), "{3+}\r\nabc{5000}\r\n"), "LITERAL- only up to 4096 bytes")
	assert.Equal(t, 2, waits)

	buf.Reset()
	w.LiteralPlus = true
	w.Literal(strings.NewReader("abc"), 4, true)
	assert.ErrorIs(t, w.Flush(), ErrLiteralSize)
}

func FuzzReader(f *testing.F) {
	for _, s := range []string{
		`(a (b "c\"d") () NIL {3}` + "\r\nxyz 12 ~{2}\r\n\x00\x01)\r\n",
		"{5+}\r\nhello\r\n",
		`"unterminated`,
		"((((((((((",
		"* 1 FETCH (BODY[HEADER.FIELDS (A B)]<0> {3}\r\nabc)\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := NewReader(strings.NewReader(s), Limits{MaxLine: 1024, MaxLiteral: 1 << 20, MaxDepth: 16})
		var walk func() error
		walk = func() error {
			c, err := r.Peek()
			if err != nil {
				return err
			}
			switch c {
			case '(':
				return r.List(walk)
			case '"':
				_, err = r.Quoted()
			case '{', '~':
				var l Literal
				if l, err = r.LiteralHeader(); err == nil {
					var lr io.Reader
					if lr, err = r.LiteralReader(l); err == nil {
						_, err = io.Copy(io.Discard, lr)
					}
				}
			case ' ':
				err = r.SP()
			case '\r', '\n':
				err = r.CRLF()
			default:
				if c >= '0' && c <= '9' {
					_, err = r.Number64()
				} else {
					_, err = r.AString()
				}
			}
			return err
		}
		for range 1000 {
			if walk() != nil {
				return
			}
		}
	})
}

// TestWriterAtom_RFC3501_9 refuses values that are not atoms or flags,
// so a keyword cannot inject a line.
func TestWriterAtom_RFC3501_9(t *testing.T) {
	for _, ok := range []string{"$Junk", `\Seen`, `\*`, "UTF8=ACCEPT"} {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		w.Atom(ok)
		require.NoError(t, w.Flush(), ok)
		assert.Equal(t, ok, buf.String())
	}
	for _, bad := range []string{"", "two words", "x\r\nA1 DELETE INBOX", "(x)", `\`, "a]"} {
		w := NewWriter(io.Discard)
		w.Atom(bad)
		assert.ErrorIs(t, w.Flush(), ErrNotAtom, "%q", bad)
	}
}
