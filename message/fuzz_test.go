package message

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets below take their seed corpora from testdata/fuzz and
// check the properties every parser must keep on any input: no panic, and
// where a formatter exists, that formatting and parsing agree.

func FuzzReadHeader(f *testing.F) {
	f.Add([]byte("Subject: x\r\n\r\nbody"))
	f.Add([]byte("From  : a\n b\nno colon\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadHeader(bufio.NewReaderSize(bytes.NewReader(data), 16))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if _, err := h.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, buf.Bytes()) {
			t.Fatalf("header does not write back as read:\n%q\n%q", data, buf.Bytes())
		}
		for i := 0; i < h.Len(); i++ {
			_ = h.At(i).Value()
		}
	})
}

func FuzzParseAddressList(f *testing.F) {
	f.Add("John Doe <jdoe@machine.example>, A Group:a@b,c@d;")
	f.Add(`"Giant; \"Big\" Box" <sysservices@example.net>`)
	f.Add("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>")
	f.Fuzz(func(t *testing.T, s string) {
		list, err := ParseAddressList(s)
		if err != nil {
			return
		}
		for _, a := range list {
			if !utf8.ValidString(a.Name) || !utf8.ValidString(a.Addr) || strings.ContainsAny(a.Addr, "<>\r\n\t ") && !strings.Contains(a.Addr, `"`) {
				return // formatting cannot promise a round trip for these
			}
			back, err := ParseAddress(a.String())
			if err != nil {
				t.Fatalf("%q formats as %q which does not parse: %v", *a, a.String(), err)
			}
			if back.Addr != a.Addr {
				t.Fatalf("%q formats as %q which parses as %q", *a, a.String(), *back)
			}
		}
	})
}

func FuzzParseDate(f *testing.F) {
	f.Add("Fri, 21 Nov 1997 09:55:06 -0600")
	f.Add("21 Nov 97 09:55:06 GMT")
	f.Add("Fri, 21 Nov 1997 09(comment):   55  :  06 -0600")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		back, err := ParseDate(FormatDate(d))
		if err != nil || !back.Equal(d) {
			if d.Year() >= 0 && d.Year() <= 9999 {
				t.Fatalf("%q -> %v -> %q -> %v, %v", s, d, FormatDate(d), back, err)
			}
		}
	})
}

func FuzzDecodeText(f *testing.F) {
	f.Add("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=")
	f.Add("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)")
	f.Add("=?euc-kr?b?vsiz58fPvLy/5A==?=")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = DecodeText(s)
		if !utf8.ValidString(s) {
			return
		}
		back, err := DecodeText(EncodeText(s))
		if err != nil {
			t.Fatal(err)
		}
		want := strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
		if back != want {
			t.Fatalf("EncodeText(%q) = %q decodes to %q", s, EncodeText(s), back)
		}
	})
}

func FuzzParseMediaType(f *testing.F) {
	f.Add("application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"")
	f.Add("attachment; filename=my report.pdf")
	f.Fuzz(func(t *testing.T, s string) {
		mt, params, err := ParseMediaType(s)
		if err != nil {
			return
		}
		for _, p := range params {
			if !utf8.ValidString(p.Value) || !isToken(p.Name) || strings.Contains(p.Name, "*") {
				return
			}
		}
		mt2, params2, err := ParseMediaType(FormatMediaType(mt, params))
		if err != nil || mt2 != mt || len(params2) != len(params) {
			t.Fatalf("%q -> %q %q -> %q -> %q %q %v", s, mt, params, FormatMediaType(mt, params), mt2, params2, err)
		}
		for i := range params {
			if params[i] != params2[i] {
				t.Fatalf("%q -> %q -> %q", s, params, params2)
			}
		}
	})
}

// FuzzReader walks arbitrary input as a message, reading every body three
// ways, and checks that the offsets and line counts of every part describe
// the input, and that the message writes back byte-for-byte.
func FuzzReader(f *testing.F) {
	f.Add([]byte(rfc2046Example))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\n--a--"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data))
		r.Limits = Limits{MaxDepth: 20, MaxParts: 200}
		var parts []*Part
		for i := 0; ; i++ {
			p, err := r.NextPart()
			if err != nil {
				break
			}
			parts = append(parts, p)
			if p.HeaderOffset > p.BodyOffset || p.BodyOffset > int64(len(data)) {
				t.Fatalf("bad offsets %d %d", p.HeaderOffset, p.BodyOffset)
			}
			switch i % 3 {
			case 0:
				_, _ = io.Copy(io.Discard, p.Body())
			case 1:
				tr, _ := p.Text()
				_, _ = io.Copy(io.Discard, tr)
			}
		}
		for _, p := range parts {
			end, ok := p.End()
			if !ok || end < p.BodyOffset || end > int64(len(data)) {
				t.Fatalf("bad end %d (%v) for body at %d", end, ok, p.BodyOffset)
			}
			body := data[p.BodyOffset:end]
			want := int64(bytes.Count(body, []byte("\n"))) // RFC 3501 7.4.2 body-fld-lines
			if lines, _ := p.Lines(); lines != want {
				t.Fatalf("lines %d, want %d", lines, want)
			}
		}
		_, _ = ReadStructure(bytes.NewReader(data))

		r = NewReader(bytes.NewReader(data))
		p, err := r.NextPart()
		if err != nil {
			return
		}
		var out bytes.Buffer
		_, _ = p.Header.WriteTo(&out)
		_, _ = io.Copy(&out, p.Raw())
		if !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("round trip:\n%q\n%q", data, out.Bytes())
		}
	})
}
