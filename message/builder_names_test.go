package message

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBuilder_FileName_RFC2231_4 checks the exact Content-Type and
// Content-Disposition written for each kind of file name, and that our own
// reader gets the name back from each of the three parameters. RFC 2231
// section 4: charset'language'value with octets outside attribute-char
// (section 7: no SPACE, CTLs, "*", "'", "%" or tspecials) as %XX.
func TestBuilder_FileName_RFC2231_4(t *testing.T) {
	long := strings.Repeat("a", 96) + ".txt"
	tests := []struct {
		name, ct string // Filename, ContentType
		wantCT   string
		wantCD   string // "" to check only the reading back
	}{
		{"notes.txt", "", "application/octet-stream; name=notes.txt", "attachment; filename=notes.txt"},
		{"my notes.txt", "text/plain", `text/plain; name="my notes.txt"`, `attachment; filename="my notes.txt"`},
		{`say "hi"\.txt`, "", `application/octet-stream; name="say \"hi\"\\.txt"`, `attachment; filename="say \"hi\"\\.txt"`},
		{"보고서.pdf", "application/pdf",
			`application/pdf; name="=?UTF-8?B?67O06rOg7IScLnBkZg==?="`,
			`attachment; filename="=?UTF-8?B?67O06rOg7IScLnBkZg==?="; filename*=utf-8''%EB%B3%B4%EA%B3%A0%EC%84%9C.pdf`},
		{"café résumé.doc", "",
			`application/octet-stream; name="=?UTF-8?B?` + b64("café résumé.doc") + `?="`,
			`attachment; filename="=?UTF-8?B?` + b64("café résumé.doc") + `?="; filename*=utf-8''caf%C3%A9%20r%C3%A9sum%C3%A9.doc`},
		{"given.pdf", "application/pdf; name=other.pdf", "application/pdf; name=other.pdf", "attachment; filename=given.pdf"},
		{long, "", "application/octet-stream; name=" + long, ""},
		{strings.Repeat("한국어 파일 이름 ", 6) + ".hwp", "", "", ""},
		{"a=?b?=.txt", "", "", `attachment; filename="a=?b?=.txt"`},
		{strings.Repeat("x", 300), "", "", ""}, // past maxPlainName: encoded words
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &Builder{Attachments: []BodyPart{{Filename: tt.name, ContentType: tt.ct, Body: strings.NewReader("x")}}}
			msg := build(t, b)
			for _, line := range strings.SplitAfter(msg, "\r\n") {
				assert.LessOrEqual(t, len(line), maxLine+2, "RFC 5322 section 2.1.1")
			}
			got := leaves(t, msg)
			require.Len(t, got, 2)
			h := &got[1].Header
			if tt.wantCT != "" {
				assert.Equal(t, tt.wantCT, h.Get("Content-Type"))
			}
			if tt.wantCD != "" {
				assert.Equal(t, tt.wantCD, h.Get("Content-Disposition"))
			}
			_, ctParams, err := h.ContentType()
			require.NoError(t, err)
			wantName := tt.name
			if strings.Contains(tt.ct, "name=") {
				wantName = "other.pdf"
			}
			assert.Equal(t, wantName, ctParams.Get("name"), "name=")
			_, cdParams, err := h.ContentDisposition()
			require.NoError(t, err)
			assert.Equal(t, tt.name, cdParams.Get("filename"), "filename*= or filename=")

			// A reader that knows nothing of RFC 2231 finds the name in
			// the plain filename= alone, decoding encoded words.
			plain := h.Get("Content-Disposition")
			if i := strings.Index(plain, "; filename*"); i >= 0 {
				plain = plain[:i]
			}
			_, params, err := ParseMediaType(plain)
			require.NoError(t, err)
			assert.Equal(t, tt.name, params.Get("filename"), "plain filename= in %q", plain)
		})
	}
}

// TestBuilder_InlineFileName checks that inline parts carry the file name
// and the Content-ID the HTML refers to (RFC 2183 section 2.1, RFC 2392).
func TestBuilder_InlineFileName(t *testing.T) {
	b := &Builder{HTML: body(`<img src="cid:logo@example.kr">`)}
	b.Inline = []BodyPart{{Filename: "로고.png", ContentType: "image/png", ContentID: "<logo@example.kr>", Body: strings.NewReader("png")}}
	s, err := ReadStructure(strings.NewReader(build(t, b)))
	require.NoError(t, err)
	img := s.Part(2)
	require.NotNil(t, img)
	assert.Equal(t, "inline", img.Disposition)
	assert.Equal(t, "로고.png", img.DispositionParams.Get("filename"))
	assert.Equal(t, "로고.png", img.Params.Get("name"))
	assert.Equal(t, "<logo@example.kr>", img.ID)
}

// TestBuilder_PlainNameLimit checks maxPlainName: an ASCII name of 255
// octets is written as it is in name= and filename=, one of 256 as encoded
// words, which fold, and both read back.
func TestBuilder_PlainNameLimit(t *testing.T) {
	for n, plain := range map[int]bool{maxPlainName: true, maxPlainName + 1: false} {
		name := strings.Repeat("x", n)
		b := &Builder{Attachments: []BodyPart{{Filename: name, Body: strings.NewReader("x")}}}
		got := leaves(t, build(t, b))
		h := &got[1].Header
		ct, cd := h.Get("Content-Type"), h.Get("Content-Disposition")
		assert.Equal(t, plain, strings.Contains(ct, "name="+name), "%d: %s", n, ct)
		assert.Equal(t, plain, strings.Contains(cd, "filename="+name+";"), "%d: %s", n, cd)
		assert.Equal(t, !plain, strings.Contains(ct, `name="=?UTF-8?Q?xxx`), "%d: %s", n, ct)
		_, params, err := h.ContentType()
		require.NoError(t, err)
		assert.Equal(t, name, params.Get("name"))
		_, params, err = h.ContentDisposition()
		require.NoError(t, err)
		assert.Equal(t, name, params.Get("filename"))
	}
}
