package message

import (
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzBuilder_FileName checks, for any file name, that the Builder writes
// lines of at most 998 octets (RFC 5322 section 2.1.1) and that our reader
// reads the name back from Content-Disposition's filename (RFC 2231
// section 4) and Content-Type's name, and the body after them.
func FuzzBuilder_FileName(f *testing.F) {
	f.Add("notes.txt", "text/plain")
	f.Add("보고서 2024.pdf", "application/pdf")
	f.Add(`say "hi"\.txt`, "")
	f.Add("a=?b?=.txt", "image/png; x=y")
	f.Add(strings.Repeat("한국어 ", 40), "")
	f.Fuzz(func(t *testing.T, name, ct string) {
		if len(name) > 1000 || len(ct) > 200 || !utf8.ValidString(name) || strings.ContainsAny(name, "\x00\r\n") {
			return
		}
		if _, _, err := ParseMediaType(ct); ct != "" && err != nil {
			return
		}
		b := &Builder{Attachments: []BodyPart{{Filename: name, ContentType: ct, Body: strings.NewReader("body")}}}
		var out strings.Builder
		if _, err := b.WriteTo(&out); err != nil {
			return // a content type the Builder refuses
		}
		msg := out.String()
		for _, line := range strings.SplitAfter(msg, "\r\n") {
			if len(line) > maxLine+2 {
				t.Fatalf("line of %d octets: %q", len(line), line)
			}
		}
		r := NewReader(strings.NewReader(msg))
		for i := 0; i < 3; i++ { // the multipart, the text, the attachment
			p, err := r.NextPart()
			if err != nil {
				t.Fatalf("part %d: %v\n%s", i, err, msg)
			}
			if i < 2 {
				continue
			}
			_, params, _ := p.Header.ContentDisposition()
			if got := params.Get("filename"); got != name {
				t.Fatalf("filename %q, want %q\n%s", got, name, msg)
			}
			if _, ctParams, _ := ParseMediaType(ct); ctParams.Get("name") == "" && p.Params.Get("name") != name {
				t.Fatalf("name %q, want %q\n%s", p.Params.Get("name"), name, msg)
			}
		}
	})
}

// FuzzBuilder_Header checks, for any extra field on a part, that the
// Builder refuses it or writes it as one field that reads back with its
// value, the part's other fields untouched: no line end in a name or a
// value can start another field, and no line passes 998 octets.
func FuzzBuilder_Header(f *testing.F) {
	f.Add("X-Custom", "value")
	f.Add("X-A\r\nBcc", "evil@example.org")
	f.Add("Subject", "a\r\nBcc: evil\r\n\r\nbody")
	f.Add("X-Long", strings.Repeat("x", 995))
	f.Add("Content-Description", "한국어 설명")
	f.Fuzz(func(t *testing.T, key, value string) {
		if len(key) > 2000 || len(value) > 4000 {
			return
		}
		p := BodyPart{Body: strings.NewReader("body")}
		p.Header.Add(key, value)
		want := p.Header.Get(key)
		var out strings.Builder
		if _, err := (&Builder{Attachments: []BodyPart{p}}).WriteTo(&out); err != nil {
			return
		}
		msg := out.String()
		for _, line := range strings.SplitAfter(msg, "\r\n") {
			if len(line) > maxLine+2 {
				t.Fatalf("line of %d octets: %q", len(line), line)
			}
		}
		r := NewReader(strings.NewReader(msg))
		var part *Part
		for i := 0; i < 3; i++ {
			var err error
			if part, err = r.NextPart(); err != nil {
				t.Fatalf("part %d: %v\n%q", i, err, msg)
			}
		}
		// Content-Type, Content-Disposition, Content-Transfer-Encoding
		// and the extra field.
		if part.Header.Len() != 4 || part.Header.Get(key) != want {
			t.Fatalf("%d fields, %s: %q, want %q\n%q", part.Header.Len(), key, part.Header.Get(key), want, msg)
		}
		if got, _ := io.ReadAll(part.Body()); string(got) != "body" {
			t.Fatalf("body %q\n%q", got, msg)
		}
	})
}
