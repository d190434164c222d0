package message

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// body returns a BodyPart reading s.
func body(s string) *BodyPart { return &BodyPart{Body: strings.NewReader(s)} }

// build writes b and returns the message.
func build(t *testing.T, b *Builder) string {
	t.Helper()
	var buf bytes.Buffer
	n, err := b.WriteTo(&buf)
	require.NoError(t, err)
	assert.Equal(t, int64(buf.Len()), n)
	return buf.String()
}

// A leaf is a non-multipart entity read back by our Reader.
type leaf struct {
	MediaType, Encoding string
	Header              Header
	Body                string // decoded (Part.Body)
}

// leaves reads msg back with our Reader and returns its leaves in order.
func leaves(t *testing.T, msg string) []leaf {
	t.Helper()
	var out []leaf
	r := NewReader(strings.NewReader(msg))
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		if p.IsMultipart() {
			continue
		}
		b, err := io.ReadAll(p.Body())
		require.NoError(t, err)
		out = append(out, leaf{p.MediaType, p.Encoding, p.Header, string(b)})
	}
}

// shape returns the media types of s and its parts as
// "multipart/mixed(text/plain application/pdf)".
func shape(s *Structure) string {
	if len(s.Parts) == 0 {
		return s.MediaType()
	}
	kids := make([]string, len(s.Parts))
	for i, p := range s.Parts {
		kids[i] = shape(p)
	}
	return s.MediaType() + "(" + strings.Join(kids, " ") + ")"
}

func TestBuilder_RFC2046_5_1(t *testing.T) {
	b := &Builder{Text: body("Hello\r\n"), HTML: body("<p>Hello <img src=\"cid:logo\"></p>\r\n")}
	b.Header.SetAddressList("From", []*Address{{"Sender", "s@example.org"}})
	b.Header.SetAddressList("To", []*Address{{"김철수", "cs@example.kr"}})
	b.Header.SetText("Subject", "회의 자료 (meeting notes)")
	b.Inline = []BodyPart{{ContentType: "image/png", ContentID: "logo", Body: strings.NewReader("\x89PNG...")}}
	big := strings.Repeat("0123456789", 10000)
	b.Attachments = []BodyPart{
		{Filename: "보고서 2024.pdf", ContentType: "application/pdf", Body: strings.NewReader(big)},
		{Filename: "notes.txt", ContentType: "text/plain; charset=utf-8", Body: strings.NewReader("note\r\n")},
	}
	msg := build(t, b)
	for _, line := range strings.SplitAfter(msg, "\r\n") {
		assert.LessOrEqual(t, len(line), 80, "%q", line)
	}

	s, err := ReadStructure(strings.NewReader(msg))
	require.NoError(t, err)
	assert.Equal(t, "multipart/mixed(multipart/alternative(text/plain multipart/related(text/html image/png)) application/pdf text/plain)", shape(s))
	rel := s.Parts[0].Parts[1]
	assert.Equal(t, "text/html", rel.Params.Get("type"), "RFC 2387 section 3.1")
	assert.Equal(t, "<logo>", rel.Parts[1].ID)
	assert.Equal(t, "inline", rel.Parts[1].Disposition)
	assert.Equal(t, "attachment", s.Parts[1].Disposition)
	assert.Equal(t, "보고서 2024.pdf", s.Parts[1].DispositionParams.Get("filename"))
	assert.Equal(t, "base64", s.Parts[1].Encoding)
	assert.Equal(t, "회의 자료 (meeting notes)", mustDecode(t, s.Envelope.Subject))

	got := leaves(t, msg)
	require.Len(t, got, 5)
	assert.Equal(t, big, got[3].Body, "the attachment decodes to what was written")
	assert.Equal(t, "note\r\n", got[4].Body)
}

func mustDecode(t *testing.T, s string) string {
	t.Helper()
	d, err := DecodeText(s)
	require.NoError(t, err)
	return d
}

func TestBuilder_SinglePart(t *testing.T) {
	b := &Builder{Text: body("just text")}
	got := walk(t, build(t, b))
	assert.Equal(t, []walked{{"text/plain", 0, 0, "just text"}}, got)
	assert.False(t, b.Header.Has("Date"), "the Builder's header is not changed")
}

// TestBuilder_Structure_RFC2046_5_1 checks the MIME structure chosen for
// each combination of parts.
func TestBuilder_Structure_RFC2046_5_1(t *testing.T) {
	att := []BodyPart{{Filename: "a.bin", Body: strings.NewReader("a")}}
	img := []BodyPart{{ContentType: "image/png", ContentID: "i@x", Body: strings.NewReader("p")}}
	tests := []struct {
		name string
		b    Builder
		want string
	}{
		{"nothing", Builder{}, "text/plain"},
		{"text", Builder{Text: body("t")}, "text/plain"},
		{"html", Builder{HTML: body("h")}, "text/html"},
		{"text+html", Builder{Text: body("t"), HTML: body("h")}, "multipart/alternative(text/plain text/html)"},
		{"html+inline", Builder{HTML: body("h"), Inline: img}, "multipart/related(text/html image/png)"},
		{"text+attachment", Builder{Text: body("t"), Attachments: att}, "multipart/mixed(text/plain application/octet-stream)"},
		{"inline without html", Builder{Text: body("t"), Inline: img}, "multipart/mixed(text/plain image/png)"},
		{"all", Builder{Text: body("t"), HTML: body("h"), Inline: img, Attachments: att},
			"multipart/mixed(multipart/alternative(text/plain multipart/related(text/html image/png)) application/octet-stream)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ReadStructure(strings.NewReader(build(t, &tt.b)))
			require.NoError(t, err)
			assert.Equal(t, tt.want, shape(s))
		})
	}
}

// TestBuilder_BccNotWritten_RFC5322_3_6_3 checks the first method of
// section 3.6.3: Bcc recipients get the message, the Bcc field is removed.
func TestBuilder_BccNotWritten_RFC5322_3_6_3(t *testing.T) {
	b := &Builder{Text: body("hi")}
	b.Header.Set("From", "a@example.org")
	b.Header.Set("To", "b@example.org")
	b.Header.Set("Bcc", "secret@example.org, Boss <boss@example.org>")
	b.Header.Set("Resent-Bcc", "resent@example.org")
	env, err := b.Envelope()
	require.NoError(t, err)
	assert.Equal(t, SMTPEnvelope{"a@example.org", []string{"b@example.org", "secret@example.org", "boss@example.org"}}, env)

	msg := build(t, b)
	assert.NotContains(t, strings.ToLower(msg), "bcc")
	assert.NotContains(t, msg, "secret@")
	assert.NotContains(t, msg, "resent@")
	assert.Equal(t, "secret@example.org, Boss <boss@example.org>", b.Header.Get("Bcc"), "the Builder's header keeps it")
}

// TestBuilder_Reader checks that Reader produces a message as WriteTo does,
// read one byte at a time or through its WriteTo after a first Read, and
// that a Builder writes once.
func TestBuilder_Reader(t *testing.T) {
	newBuilder := func() *Builder {
		b := &Builder{Text: body("Grüße\r\n"), HTML: body("<p>Grüße</p>")}
		b.Header.Set("From", "a@example.org")
		b.Attachments = []BodyPart{{Filename: "x.bin", Body: strings.NewReader(strings.Repeat("\x00\xff", 50000))}}
		return b
	}
	want := leaves(t, build(t, newBuilder()))
	require.Len(t, want, 3)

	oneByte, err := io.ReadAll(iotest.OneByteReader(newBuilder().Reader()))
	require.NoError(t, err)
	assert.Equal(t, want, leaves(t, string(oneByte)))

	r := newBuilder().Reader()
	first := make([]byte, 10)
	_, err = io.ReadFull(r, first)
	require.NoError(t, err)
	var rest bytes.Buffer
	_, err = rest.ReadFrom(r) // uses r's WriteTo
	require.NoError(t, err)
	assert.Equal(t, want, leaves(t, string(first)+rest.String()))

	b := newBuilder()
	b.Header.Set("Content-Type", "text/plain") // the Builder's to write
	_, err = b.WriteTo(io.Discard)
	assert.ErrorIs(t, err, ErrInvalidHeader)
	b.Header.Del("Content-Type")
	assert.Equal(t, want, leaves(t, build(t, b)), "a refused Builder read no body")
	_, err = b.WriteTo(io.Discard)
	assert.ErrorIs(t, err, ErrBuilderUsed)
	_, err = io.ReadAll(b.Reader())
	assert.ErrorIs(t, err, ErrBuilderUsed)
}

// TestBuilder_BodyError checks that an error reading a body stops the
// message and comes back from WriteTo and from Read.
func TestBuilder_BodyError(t *testing.T) {
	boom := errors.New("boom")
	for _, size := range []int{10, 100000} { // in the sample, and after it
		for _, via := range []string{"WriteTo", "Read"} {
			b := &Builder{Text: &BodyPart{Body: io.MultiReader(strings.NewReader(strings.Repeat("x", size)), iotest.ErrReader(boom))}}
			var err error
			if via == "WriteTo" {
				_, err = b.WriteTo(io.Discard)
			} else {
				_, err = io.ReadAll(b.Reader())
			}
			assert.ErrorIs(t, err, boom, "%s %d", via, size)
		}
	}
}
