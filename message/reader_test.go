package message

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
)

// crlfLines joins lines with CRLF, the line end of mail on the wire.
func crlfLines(lines ...string) string { return strings.Join(lines, "\r\n") }

// A walked part: its media type, depth, index and decoded text.
type walked struct {
	MediaType string
	Depth     int
	Index     int
	Text      string
}

func walk(t *testing.T, msg string) []walked {
	t.Helper()
	var out []walked
	r := NewReader(strings.NewReader(msg))
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		w := walked{MediaType: p.MediaType, Depth: p.Depth, Index: p.Index}
		if !p.IsMultipart() && !p.IsMessage() {
			tr, err := p.Text()
			require.NoError(t, err)
			b, err := io.ReadAll(tr)
			require.NoError(t, err)
			w.Text = string(b)
		}
		out = append(out, w)
	}
}

var rfc2046Example = crlfLines(
	"From: Nathaniel Borenstein <nsb@bellcore.com>",
	"To: Ned Freed <ned@innosoft.com>",
	"Date: Sun, 21 Mar 1993 23:56:48 -0800 (PST)",
	"Subject: Sample message",
	"MIME-Version: 1.0",
	`Content-type: multipart/mixed; boundary="simple boundary"`,
	"",
	"This is the preamble.  It is to be ignored, though it",
	"is a handy place for composition agents to include an",
	"explanatory note to non-MIME conformant readers.",
	"",
	"--simple boundary",
	"",
	"This is implicitly typed plain US-ASCII text.",
	"It does NOT end with a linebreak.",
	"--simple boundary",
	"Content-type: text/plain; charset=us-ascii",
	"",
	"This is explicitly typed plain US-ASCII text.",
	"It DOES end with a linebreak.",
	"",
	"--simple boundary--",
	"",
	"This is the epilogue.  It is also to be ignored.",
	"")

func TestReader_RFC2046_5_1_1(t *testing.T) {
	got := walk(t, rfc2046Example)
	assert.Equal(t, []walked{
		{"multipart/mixed", 0, 0, ""},
		{"text/plain", 1, 1, "This is implicitly typed plain US-ASCII text.\r\nIt does NOT end with a linebreak."},
		{"text/plain", 1, 2, "This is explicitly typed plain US-ASCII text.\r\nIt DOES end with a linebreak.\r\n"},
	}, got)
}

func TestReader_RFC2046_5_1_Nested(t *testing.T) {
	msg := crlfLines(
		"Content-Type: multipart/mixed; boundary=outer",
		"",
		"--outer",
		"Content-Type: multipart/alternative; boundary=outer-inner",
		"",
		"--outer-inner",
		"Content-Type: text/plain",
		"",
		"plain",
		"--outer-inner",
		"Content-Type: text/html",
		"",
		"<p>html</p>",
		"--outer-inner--",
		"--outer",
		"Content-Type: message/rfc822",
		"",
		"Subject: inner",
		"Content-Type: text/plain; charset=euc-kr",
		"Content-Transfer-Encoding: base64",
		"",
		b64(encodeWithT(korean.EUCKR, "안녕하세요")),
		"--outer--",
		"")
	got := walk(t, msg)
	assert.Equal(t, []walked{
		{"multipart/mixed", 0, 0, ""},
		{"multipart/alternative", 1, 1, ""},
		{"text/plain", 2, 1, "plain"},
		{"text/html", 2, 2, "<p>html</p>"},
		{"message/rfc822", 1, 2, ""},
		{"text/plain", 2, 0, "안녕하세요"},
	}, got)
}

func TestReader_Breakage(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want []walked
	}{
		{"missing final boundary", crlfLines("Content-Type: multipart/mixed; boundary=b", "", "--b", "", "one", "--b", "", "two", ""),
			[]walked{{"multipart/mixed", 0, 0, ""}, {"text/plain", 1, 1, "one"}, {"text/plain", 1, 2, "two\r\n"}}},
		{"inner never closed", crlfLines("Content-Type: multipart/mixed; boundary=a", "", "--a", "Content-Type: multipart/mixed; boundary=b", "", "--b", "", "x", "--a", "", "y", "--a--"),
			[]walked{{"multipart/mixed", 0, 0, ""}, {"multipart/mixed", 1, 1, ""}, {"text/plain", 2, 1, "x"}, {"text/plain", 1, 2, "y"}}},
		{"wrong boundary", crlfLines("Content-Type: multipart/mixed; boundary=a", "", "--z", "", "x", "--z--"),
			[]walked{{"multipart/mixed", 0, 0, ""}}},
		{"boundary prefix of another", crlfLines("Content-Type: multipart/mixed; boundary=a", "", "--a", "", "--ab is text", "--a--"),
			[]walked{{"multipart/mixed", 0, 0, ""}, {"text/plain", 1, 1, "--ab is text"}}},
		{"transport padding", crlfLines("Content-Type: multipart/mixed; boundary=a", "", "--a  ", "", "x", "--a-- \t", ""),
			[]walked{{"multipart/mixed", 0, 0, ""}, {"text/plain", 1, 1, "x"}}},
		{"LF only", strings.ReplaceAll(crlfLines("Content-Type: multipart/mixed; boundary=a", "", "--a", "", "x", "y", "--a--", ""), "\r\n", "\n"),
			[]walked{{"multipart/mixed", 0, 0, ""}, {"text/plain", 1, 1, "x\ny"}}},
		{"truncated part header", crlfLines("Content-Type: multipart/mixed; boundary=a", "", "--a", "Content-Type: text/html", "--a--"),
			[]walked{{"multipart/mixed", 0, 0, ""}, {"text/html", 1, 1, ""}}},
		{"no boundary parameter", crlfLines("Content-Type: multipart/mixed", "", "--a", "", "x"),
			[]walked{{"multipart/mixed", 0, 0, "--a\r\n\r\nx"}}},
		{"digest default", crlfLines("Content-Type: multipart/digest; boundary=a", "", "--a", "", "Subject: x", "", "body", "--a--"),
			[]walked{{"multipart/digest", 0, 0, ""}, {"message/rfc822", 1, 1, ""}, {"text/plain", 2, 0, "body"}}},
		{"truncated base64", crlfLines("Content-Transfer-Encoding: base64", "", "SGVsbG8gd29y"),
			[]walked{{"text/plain", 0, 0, "Hello wor"}}},
		{"base64 garbage", crlfLines("Content-Transfer-Encoding: base64", "", "SGVs*bG8 gd2!9y", "bGQ="),
			[]walked{{"text/plain", 0, 0, "Hello world"}}},
		{"quoted-printable", crlfLines("Content-Transfer-Encoding: quoted-printable", "", "caf=C3=A9 =", "soft  ", "bad =ZZ escape=", ""),
			[]walked{{"text/plain", 0, 0, "café soft\r\nbad =ZZ escape"}}},
		{"message without body", "Subject: x\r\n",
			[]walked{{"text/plain", 0, 0, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, walk(t, tt.msg))
		})
	}
}

func TestReader_ISO2022JP(t *testing.T) {
	msg := "Content-Type: text/plain; charset=ISO-2022-JP\r\n\r\n" + encodeWithT(japanese.ISO2022JP, "こんにちは、世界")
	assert.Equal(t, []walked{{"text/plain", 0, 0, "こんにちは、世界"}}, walk(t, msg))
}

func TestReader_UnknownCharset(t *testing.T) {
	r := NewReader(strings.NewReader("Content-Type: text/plain; charset=x-klingon\r\n\r\nqapla'"))
	p, err := r.NextPart()
	require.NoError(t, err)
	tr, err := p.Text()
	require.ErrorIs(t, err, ErrUnknownCharset)
	b, err := io.ReadAll(tr)
	require.NoError(t, err)
	assert.Equal(t, "qapla'", string(b))
}

func TestReader_Limits(t *testing.T) {
	var deep strings.Builder
	for i := 0; i < 100; i++ {
		deep.WriteString("Content-Type: multipart/mixed; boundary=b" + strings.Repeat("x", i) + "\r\n\r\n--b" + strings.Repeat("x", i) + "\r\n")
	}
	r := NewReader(strings.NewReader(deep.String()))
	r.Limits.MaxDepth = 10
	var err error
	for err == nil {
		_, err = r.NextPart()
	}
	var le *LimitError
	require.True(t, errors.As(err, &le), "%v", err)
	assert.Equal(t, "MaxDepth", le.Limit)

	many := "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\n\r\nx\r\n", 50)
	r = NewReader(strings.NewReader(many))
	r.Limits.MaxParts = 20
	for err = nil; err == nil; {
		_, err = r.NextPart()
	}
	require.ErrorIs(t, err, ErrLimit)
}

func TestReader_RawIsExact(t *testing.T) {
	r := NewReader(strings.NewReader(rfc2046Example))
	var got []string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if p.IsMultipart() {
			continue
		}
		b, err := io.ReadAll(p.Raw())
		require.NoError(t, err)
		got = append(got, string(b))
		end, ok := p.End()
		_ = ok
		_ = end
	}
	require.Len(t, got, 2)
	assert.Equal(t, "This is implicitly typed plain US-ASCII text.\r\nIt does NOT end with a linebreak.", got[0])
}

func TestReader_ReadingContainerSkipsChildren(t *testing.T) {
	r := NewReader(strings.NewReader(rfc2046Example))
	p, err := r.NextPart()
	require.NoError(t, err)
	b, err := io.ReadAll(p.Raw())
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(b, []byte("This is the preamble.")))
	assert.True(t, bytes.HasSuffix(b, []byte("ignored.\r\n")))
	_, err = r.NextPart()
	assert.Equal(t, io.EOF, err)
	_, err = p.Raw().Read(make([]byte, 1))
	assert.ErrorIs(t, err, ErrNotCurrent)
}

func TestReader_ContainerHeaderCutByDelimiter(t *testing.T) {
	msg := crlfLines("Content-Type: multipart/mixed; boundary=a", "", "--a",
		"Content-Type: multipart/mixed; boundary=b", "--a", "", "after", "--a--")
	assert.Equal(t, []walked{
		{"multipart/mixed", 0, 0, ""},
		{"multipart/mixed", 1, 1, ""},
		{"text/plain", 1, 2, "after"},
	}, walk(t, msg))
	s, err := ReadStructure(strings.NewReader(msg))
	require.NoError(t, err)
	require.Len(t, s.Parts, 2)
	assert.Equal(t, int64(0), s.Parts[0].Size)
}
