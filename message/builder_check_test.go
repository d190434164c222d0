package message

import (
	"bufio"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBuilder_PartHeaders checks that each part's extra fields are
// written in that part, read back by our Reader, and that a single-part
// message carries its body's fields in the message header.
func TestBuilder_PartHeaders(t *testing.T) {
	text := body("see attached")
	text.Header.Set("X-Text", "on the text part")
	att := BodyPart{Filename: "a.csv", ContentType: "text/csv", Body: strings.NewReader("a,b\r\n")}
	att.Header.Set("Content-ID", "<table@example.org>")
	att.Header.SetText("Content-Description", "표 (table)")
	att.Header.Add("X-Custom", "one")
	att.Header.Add("X-Custom", "two")
	b := &Builder{Text: text, Attachments: []BodyPart{att}}
	b.Header.Set("X-Mailer", "mailwire")
	got := leaves(t, build(t, b))
	require.Len(t, got, 2)
	assert.Equal(t, "on the text part", got[0].Header.Get("X-Text"))
	assert.False(t, got[0].Header.Has("X-Custom"))
	assert.Equal(t, "<table@example.org>", got[1].Header.Get("Content-ID"))
	desc, err := got[1].Header.Text("Content-Description")
	require.NoError(t, err)
	assert.Equal(t, "표 (table)", desc)
	assert.Equal(t, []string{"one", "two"}, got[1].Header.Values("X-Custom"))
	assert.Equal(t, "a,b\r\n", got[1].Body)

	single := &Builder{Text: body("hi")}
	single.Text.Header.Set("X-Text", "here")
	single.Header.Set("Subject", "one part")
	msg := build(t, single)
	h, err := ReadHeader(bufio.NewReader(strings.NewReader(msg)))
	require.NoError(t, err)
	assert.Equal(t, "here", h.Get("X-Text"))
	assert.Equal(t, "one part", h.Get("Subject"))
}

// TestBuilder_HeaderNormalized checks that a header read with bare LF line
// ends is written with CRLF, refolded, as smtp.Client.Send requires.
func TestBuilder_HeaderNormalized(t *testing.T) {
	h, err := ReadHeader(bufio.NewReader(strings.NewReader("Subject: a folded\n subject\nFrom: a@example.org\n\n")))
	require.NoError(t, err)
	msg := build(t, &Builder{Header: h, Text: body("x")})
	assert.True(t, strings.HasPrefix(msg, "Subject: a folded subject\r\nFrom: a@example.org\r\n"), "%q", msg)
	assert.NotContains(t, strings.ReplaceAll(msg, "\r\n", ""), "\n")
}

// TestBuilder_RefusesFields_RFC5322_2_2 checks that fields the Builder
// cannot write as RFC 5322 section 2.2 asks, or writes itself, are refused
// before anything is written.
func TestBuilder_RefusesFields_RFC5322_2_2(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name       string
		key, value string
		onMessage  bool // in Builder.Header rather than the part's
		ok         bool
	}{
		{"CRLF in a name", "X-A\r\nBcc", "evil@example.org", false, false},
		{"space in a name", "X A", "v", false, false},
		{"colon in a name", "X:A", "v", false, false},
		{"empty name", "", "v", false, false},
		{"non-ASCII name", "X-Ü", "v", false, false},
		{"Content-Type on a part", "Content-Type", "text/plain", false, false},
		{"Content-Transfer-Encoding on a part", "content-transfer-encoding", "base64", false, false},
		{"Content-Disposition on a part", "Content-Disposition", "inline", false, false},
		{"Content-Type on the message", "Content-Type", "text/plain", true, false},
		{"Content-Disposition on the message", "Content-Disposition", "inline", true, true},
		{"NUL in a value", "X-A", "a\x00b", false, false},
		{"DEL in a value", "X-A", "a\x7fb", true, false},
		{"ill-formed UTF-8", "X-A", "a\xffb", false, false},
		{"RFC 6532 UTF-8", "X-A", "한국어", false, true},
		{"tab in a value", "X-A", "a\tb", false, true},
		{"2.1.1 first line at 998", "X-Long", long(998 - len("X-Long: ")), false, true},
		{"2.1.1 first line at 999", "X-Long", long(999 - len("X-Long: ")), true, false},
		{"2.1.1 later line at 998", "X-Long", "a " + long(997), false, true},
		{"2.1.1 later line at 999", "X-Long", "a " + long(998), false, false},
		{"2.1.1 name too long", long(997), "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			att := BodyPart{Body: strings.NewReader("x")}
			b := &Builder{Text: body("t"), Attachments: []BodyPart{att}}
			target := &b.Attachments[0].Header
			if tt.onMessage {
				target = &b.Header
			}
			target.Add(tt.key, tt.value)
			var out strings.Builder
			_, err := b.WriteTo(&out)
			if !tt.ok {
				assert.ErrorIs(t, err, ErrInvalidHeader)
				assert.Empty(t, out.String(), "nothing is written")
				return
			}
			require.NoError(t, err)
			for _, line := range strings.SplitAfter(out.String(), "\r\n") {
				assert.LessOrEqual(t, len(line), maxLine+2)
			}
			got := leaves(t, out.String())
			h := &got[1].Header
			if tt.onMessage {
				mh, err := ReadHeader(bufio.NewReader(strings.NewReader(out.String())))
				require.NoError(t, err)
				h = &mh
			}
			assert.Equal(t, tt.value, h.Get(tt.key))
		})
	}
}

// TestBuilder_ValueCannotInject checks that line ends in a value do not
// start a field: Header.Set turns them into spaces.
func TestBuilder_ValueCannotInject(t *testing.T) {
	att := BodyPart{Body: strings.NewReader("x")}
	att.Header.Set("X-A", "a\r\nBcc: evil@example.org\r\n\r\nbody")
	b := &Builder{Attachments: []BodyPart{att}}
	got := leaves(t, build(t, b))
	assert.Equal(t, "a Bcc: evil@example.org  body", got[1].Header.Get("X-A"))
	assert.False(t, got[1].Header.Has("Bcc"))
	assert.Equal(t, "x", got[1].Body)
}

// TestBuilder_ContentID checks the Content-ID of a part (RFC 2045 section
// 7), given with or without brackets, and refused when malformed or given
// twice.
func TestBuilder_ContentID(t *testing.T) {
	tests := []struct {
		id, want string
	}{
		{"logo@example.org", "<logo@example.org>"},
		{"<logo@example.org>", "<logo@example.org>"},
		{"logo", "<logo>"},
		{"<>", ""},
		{"two words@example.org", ""},
		{"a>b@example.org", ""},
		{"로고@example.org", ""},
	}
	for _, tt := range tests {
		b := &Builder{HTML: body("h"), Inline: []BodyPart{{ContentID: tt.id, Body: strings.NewReader("i")}}}
		var out strings.Builder
		_, err := b.WriteTo(&out)
		if tt.want == "" {
			assert.ErrorIs(t, err, ErrInvalidHeader, "%q", tt.id)
			continue
		}
		require.NoError(t, err, "%q", tt.id)
		assert.Equal(t, tt.want, leaves(t, out.String())[1].Header.Get("Content-ID"))
	}
	p := BodyPart{ContentID: "a@x", Body: strings.NewReader("i")}
	p.Header.Set("Content-ID", "<b@x>")
	_, err := (&Builder{Attachments: []BodyPart{p}}).WriteTo(io.Discard)
	assert.ErrorIs(t, err, ErrInvalidHeader)
}

// TestBuilder_InvalidMediaType checks that a part's ContentType must be a
// media type, and not multipart (the Builder lays out the multiparts).
func TestBuilder_InvalidMediaType(t *testing.T) {
	for _, ct := range []string{"pdf", "text/", "multipart/mixed; boundary=x", "a b/c"} {
		b := &Builder{Attachments: []BodyPart{{ContentType: ct, Body: strings.NewReader("x")}}}
		_, err := b.WriteTo(io.Discard)
		assert.ErrorIs(t, err, ErrInvalidMediaType, "%q", ct)
	}
}
