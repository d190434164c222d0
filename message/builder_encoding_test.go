package message

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPartEncoding_RFC2045_6 checks the one rule for a part's transfer
// encoding, case by case.
func TestPartEncoding_RFC2045_6(t *testing.T) {
	tests := []struct {
		mt, body string
		complete bool
		want     string
	}{
		{"text/plain", "hello\r\n", true, "7bit"},
		{"text/plain", "hello\r\n", false, "quoted-printable"}, // the rest might break 7bit
		{"text/plain", strings.Repeat("x", 998), true, "7bit"}, // RFC 5322 2.1.1: at the limit
		{"text/plain", strings.Repeat("x", 999), true, "quoted-printable"},
		{"text/plain", "a\r\nb\r\n", true, "7bit"},
		{"text/plain", "bare\rCR", true, "quoted-printable"}, // RFC 5322 2.3
		{"text/plain", "ends in CR\r", true, "quoted-printable"},
		{"text/html", "<p>café</p>", true, "quoted-printable"},
		{"text/plain", "안녕하세요 여러분", true, "base64"},
		{"text/plain", "nul\x00byte", true, "base64"},
		{"application/pdf", "%PDF-1.4", true, "base64"},
		{"image/png", "\x89PNG", true, "base64"},
		{"message/rfc822", "Subject: x\r\n\r\nhi", true, "7bit"}, // RFC 2046 5.2.1
		{"message/rfc822", "Subject: x\r\n\r\nhi", false, "8bit"},
		{"message/rfc822", "Subject: é\r\n\r\nhi", true, "8bit"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, partEncoding(tt.mt, []byte(tt.body), tt.complete), "%s %q complete=%v", tt.mt, tt.body, tt.complete)
	}
}

// TestBuilder_EncodingRule_EveryPart checks that the rule is applied alike
// to text, HTML, inline parts and attachments, and that every body comes
// back as written.
func TestBuilder_EncodingRule_EveryPart(t *testing.T) {
	bodies := map[string]string{
		"7bit":             "plain ASCII\r\n",
		"quoted-printable": "Grüße aus Köln\r\n",
		"base64":           "\x00\x01binary\xff",
	}
	for want, content := range bodies {
		part := func(ct string) BodyPart {
			return BodyPart{ContentType: ct, Body: strings.NewReader(content)}
		}
		text, html := part(""), part("")
		b := &Builder{Text: &text, HTML: &html,
			Inline:      []BodyPart{part("text/plain; charset=utf-8")},
			Attachments: []BodyPart{part("text/plain; charset=utf-8"), part("text/csv")}}
		got := leaves(t, build(t, b))
		require.Len(t, got, 5)
		for _, l := range got {
			assert.Equal(t, want, l.Encoding, "%s %q", l.MediaType, content)
			assert.Equal(t, content, l.Body, "%s", l.MediaType)
		}
	}
	// Whatever its content, a non-text attachment is base64.
	b := &Builder{Attachments: []BodyPart{{ContentType: "application/json", Body: strings.NewReader("{}\r\n")}}}
	got := leaves(t, build(t, b))
	assert.Equal(t, "base64", got[1].Encoding)
}

// asciiText returns n octets of ASCII text in short lines.
func asciiText(n int) string {
	return strings.Repeat("abcdefghij\r\n", n/12+1)[:n]
}

// TestBuilder_EncodingSample checks the bound the rule looks within, at
// its default and at a size set on the Builder: a body of exactly the
// sample is judged whole (7bit is possible), one octet more is not.
func TestBuilder_EncodingSample(t *testing.T) {
	for _, sample := range []int{0, 100} {
		limit := sample
		if limit == 0 {
			limit = DefaultEncodingSample
		}
		for n, want := range map[int]string{limit: "7bit", limit + 1: "quoted-printable"} {
			b := &Builder{Text: body(asciiText(n)), EncodingSample: sample}
			got := leaves(t, build(t, b))
			assert.Equal(t, want, got[0].Encoding, "sample %d, %d octets", sample, n)
			assert.Equal(t, asciiText(n), got[0].Body)
		}
	}
	// The sample decides: Korean after an ASCII sample stays
	// quoted-printable; a sample that reaches it chooses base64.
	korean := asciiText(200) + strings.Repeat("한국어 ", 500)
	for sample, want := range map[int]string{100: "quoted-printable", 10000: "base64"} {
		b := &Builder{Text: body(korean), EncodingSample: sample}
		got := leaves(t, build(t, b))
		assert.Equal(t, want, got[0].Encoding, "sample %d", sample)
		assert.Equal(t, korean, got[0].Body)
	}
}

// TestBuilder_ExplicitEncoding checks that BodyPart.Encoding overrides the
// rule, and that it must be one of RFC 2045 section 6.1.
func TestBuilder_ExplicitEncoding(t *testing.T) {
	for enc, want := range map[string]string{"base64": "base64", "QUOTED-PRINTABLE": "quoted-printable", "8bit": "8bit"} {
		b := &Builder{Text: &BodyPart{Body: strings.NewReader("plain\r\n"), Encoding: enc}}
		got := leaves(t, build(t, b))
		assert.Equal(t, want, got[0].Encoding)
		assert.Equal(t, "plain\r\n", got[0].Body)
	}
	b := &Builder{Text: &BodyPart{Body: strings.NewReader(strings.Repeat("x", 999)), Encoding: "7bit"}}
	_, err := b.WriteTo(io.Discard)
	assert.ErrorIs(t, err, ErrLineTooLong, "RFC 2045 section 2.7")

	b = &Builder{Text: &BodyPart{Body: strings.NewReader("x"), Encoding: "x-uuencode"}}
	_, err = b.WriteTo(io.Discard)
	assert.ErrorIs(t, err, ErrInvalidHeader)
}
