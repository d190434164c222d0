package message

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadStructure_RFC2046_5_1_1(t *testing.T) {
	s, err := ReadStructure(strings.NewReader(rfc2046Example))
	require.NoError(t, err)
	msg := []byte(rfc2046Example)
	section := func(a, b int64) string { return string(msg[a:b]) }

	assert.Equal(t, "multipart/mixed", s.MediaType())
	assert.Equal(t, Params{{"boundary", "simple boundary"}}, s.Params)
	assert.Equal(t, "7bit", s.Encoding)
	assert.Equal(t, int64(0), s.HeaderOffset)
	assert.True(t, strings.HasSuffix(section(s.HeaderOffset, s.BodyOffset), "boundary=\"simple boundary\"\r\n\r\n"))
	assert.Equal(t, int64(len(msg)), s.End)
	assert.Equal(t, s.End-s.BodyOffset, s.Size)

	require.Len(t, s.Parts, 2)
	p1, p2 := s.Parts[0], s.Parts[1]
	assert.Equal(t, "text/plain", p1.MediaType())
	assert.Equal(t, Params{{"charset", "us-ascii"}}, p1.Params, "RFC 2045 5.2 default")
	assert.Equal(t, "\r\n", section(p1.HeaderOffset, p1.BodyOffset), "an empty header is its empty line")
	assert.Equal(t, "This is implicitly typed plain US-ASCII text.\r\nIt does NOT end with a linebreak.", section(p1.BodyOffset, p1.End))
	assert.Equal(t, int64(1), p1.Lines, "RFC 3501 7.4.2 body-fld-lines: the CRLF before the delimiter is the delimiter's (RFC 2046 5.1.1)")
	assert.Equal(t, "Content-type: text/plain; charset=us-ascii\r\n\r\n", section(p2.HeaderOffset, p2.BodyOffset))
	assert.Equal(t, "This is explicitly typed plain US-ASCII text.\r\nIt DOES end with a linebreak.\r\n", section(p2.BodyOffset, p2.End))
	assert.Equal(t, int64(2), p2.Lines)

	e := s.Envelope
	assert.Equal(t, "Sun, 21 Mar 1993 23:56:48 -0800 (PST)", e.Date)
	assert.Equal(t, "Sample message", e.Subject)
	assert.Equal(t, []EnvelopeAddress{{Name: "Nathaniel Borenstein", Mailbox: "nsb", Host: "bellcore.com"}}, e.From)
	assert.Equal(t, e.From, e.Sender, "RFC 3501 7.4.2: Sender defaults to From")
	assert.Equal(t, e.From, e.ReplyTo, "RFC 3501 7.4.2: Reply-To defaults to From")
}

// TestStructurePart_RFC3501_6_4_5 resolves the section part numbers of the
// example in RFC 3501 section 6.4.5 on a message built to match it.
func TestStructurePart_RFC3501_6_4_5(t *testing.T) {
	data, err := os.ReadFile("testdata/corpus/rfc3501-6.4.5-sections.eml")
	require.NoError(t, err)
	s, err := ReadStructure(bytes.NewReader(data))
	require.NoError(t, err)
	tests := []struct {
		path []int
		want string
	}{
		{[]int{1}, "text/plain"},
		{[]int{2}, "application/octet-stream"},
		{[]int{3}, "message/rfc822"},
		{[]int{3, 1}, "text/plain"},
		{[]int{3, 2}, "application/octet-stream"},
		{[]int{4}, "multipart/mixed"},
		{[]int{4, 1}, "image/gif"},
		{[]int{4, 2}, "message/rfc822"},
		{[]int{4, 2, 1}, "text/plain"},
		{[]int{4, 2, 2}, "multipart/alternative"},
		{[]int{4, 2, 2, 1}, "text/plain"},
		{[]int{4, 2, 2, 2}, "text/richtext"},
	}
	for _, tt := range tests {
		p := s.Part(tt.path...)
		require.NotNil(t, p, "%v", tt.path)
		assert.Equal(t, tt.want, p.MediaType(), "%v", tt.path)
	}
	for _, bad := range [][]int{{0}, {5}, {1, 1, 1}, {4, 3}, {4, 2, 3}} {
		assert.Nil(t, s.Part(bad...), "%v", bad)
	}

	// 3.HEADER and 3.TEXT: the encapsulated message.
	m := s.Part(3).Message
	require.NotNil(t, m)
	assert.True(t, strings.HasPrefix(string(data[m.HeaderOffset:m.BodyOffset]), "From: inner@example.org\r\n"))
	assert.True(t, strings.HasPrefix(string(data[m.BodyOffset:m.End]), "--in\r\n"))
	assert.Equal(t, "inner", m.Envelope.Subject)
	// 4.2.2.1.MIME and 4.2.2.1.
	p := s.Part(4, 2, 2, 1)
	assert.Equal(t, "Content-Type: text/plain\r\n\r\n", string(data[p.HeaderOffset:p.BodyOffset]))
	assert.Equal(t, "plain 4.2.2.1", string(data[p.BodyOffset:p.End]))

	// A non-multipart message has a single part 1: its body.
	single, err := ReadStructure(strings.NewReader("Subject: x\r\n\r\nbody"))
	require.NoError(t, err)
	assert.Same(t, single, single.Part(1))
	assert.Nil(t, single.Part(2))
}

func TestReadStructure_RFC3501_7_4_2_Fields(t *testing.T) {
	data, err := os.ReadFile("testdata/corpus/signed.eml")
	require.NoError(t, err)
	s, err := ReadStructure(bytes.NewReader(data))
	require.NoError(t, err)
	text := s.Part(1)
	assert.Equal(t, []string{"en", "de"}, text.Language)
	assert.Equal(t, "http://example.org/msg", text.Location)
	assert.Equal(t, "Q2hlY2sgSW50ZWdyaXR5IQ==", text.MD5)
	sig := s.Part(2)
	assert.Equal(t, "OpenPGP digital signature", sig.Description)
	assert.Equal(t, "attachment", sig.Disposition)
	assert.Equal(t, "signature.asc", sig.DispositionParams.Get("filename"))
	assert.Equal(t, "application/pgp-signature", s.Params.Get("protocol"))
}

func TestEnvelope_RFC3501_7_4_2_Groups(t *testing.T) {
	var h Header
	h.Add("From", "=?utf-8?q?Jos=C3=A9?= <jose@example.es>")
	h.Add("To", `A Group:Ed Jones <c@a.test>,"joe q"@where.test;, <@route.test:mary@example.net>, nodomain@`)
	h.Add("Cc", "Undisclosed recipients:;")
	h.Add("Reply-To", "")
	e := NewEnvelope(&h)
	assert.Equal(t, []EnvelopeAddress{{Name: "=?utf-8?q?Jos=C3=A9?=", Mailbox: "jose", Host: "example.es"}}, e.From, "names keep their encoded words")
	assert.Equal(t, e.From, e.ReplyTo)
	assert.Equal(t, []EnvelopeAddress{
		{Mailbox: "A Group"},
		{Name: "Ed Jones", Mailbox: "c", Host: "a.test"},
		{Mailbox: "joe q", Host: "where.test"},
		{},
		{Route: "@route.test", Mailbox: "mary", Host: "example.net"},
	}, e.To)
	assert.True(t, e.To[0].IsGroupStart())
	assert.True(t, e.To[3].IsGroupEnd())
	assert.Equal(t, []EnvelopeAddress{{Mailbox: "Undisclosed recipients"}, {}}, e.Cc)

	var h2 Header
	h2.Add("To", "<postmaster>")
	assert.Equal(t, []EnvelopeAddress{{Mailbox: "postmaster", Host: MissingDomain}}, NewEnvelope(&h2).To)
}

// attachmentSource streams a message with a large base64 attachment of
// deterministic bytes, without holding it in memory.
type attachmentSource struct {
	head, tail string
	size       int64 // decoded size of the attachment
	enc        io.Reader
	stage      int
}

func newAttachmentMessage(size int64) *attachmentSource {
	pr, pw := io.Pipe()
	go func() {
		lw := &lineWrapper{w: pw}
		enc := base64.NewEncoder(base64.StdEncoding, lw)
		buf := make([]byte, 57*64)
		var written int64
		for written < size {
			n := int(min(int64(len(buf)), size-written))
			for i := range buf[:n] {
				buf[i] = byte((written + int64(i)) * 31 >> 3)
			}
			_, _ = enc.Write(buf[:n])
			written += int64(n)
		}
		_ = enc.Close()
		if lw.lineLen > 0 {
			_, _ = pw.Write(lineCRLF)
		}
		_ = pw.Close()
	}()
	return &attachmentSource{
		head: crlfLines("From: big@example.org", "Subject: 20 MB attachment", "MIME-Version: 1.0",
			"Content-Type: multipart/mixed; boundary=big", "", "--big", "Content-Type: text/plain", "", "see attachment",
			"--big", "Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=big.bin",
			"Content-Transfer-Encoding: base64", "", ""),
		tail: "--big--\r\n",
		size: size,
		enc:  pr,
	}
}

func (a *attachmentSource) Read(p []byte) (int, error) {
	for {
		switch a.stage {
		case 0:
			if a.head == "" {
				a.stage++
				continue
			}
			n := copy(p, a.head)
			a.head = a.head[n:]
			return n, nil
		case 1:
			n, err := a.enc.Read(p)
			if err == io.EOF {
				a.stage++
				continue
			}
			return n, err
		case 2:
			if a.tail == "" {
				return 0, io.EOF
			}
			n := copy(p, a.tail)
			a.tail = a.tail[n:]
			return n, nil
		}
	}
}

// TestReader_20MBAttachment reads a message with a 20 MB attachment and
// checks that the memory the walk allocates stays far below its size.
func TestReader_20MBAttachment(t *testing.T) {
	const size = 20 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	r := NewReader(newAttachmentMessage(size))
	var decoded int64
	h := sha256.New()
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if p.MediaType == "application/octet-stream" {
			decoded, err = io.Copy(h, p.Body())
			require.NoError(t, err)
		}
	}
	runtime.ReadMemStats(&after)
	assert.Equal(t, int64(size), decoded)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4<<20), "memory must not grow with the attachment")

	want := sha256.New()
	_, err := io.Copy(want, io.LimitReader(&patternReader{}, size))
	require.NoError(t, err)
	assert.Equal(t, want.Sum(nil), h.Sum(nil))

	s, err := ReadStructure(newAttachmentMessage(size))
	require.NoError(t, err)
	att := s.Part(2)
	require.NotNil(t, att)
	encoded := int64(base64.StdEncoding.EncodedLen(size))
	lines := (encoded + 75) / 76
	assert.Equal(t, encoded+2*lines-2, att.Size, "base64 lines and CRLFs, less the CRLF before the delimiter")
	assert.Equal(t, lines-1, att.Lines, "the last line's CRLF belongs to the delimiter")
}

// patternReader produces the bytes newAttachmentMessage encodes.
type patternReader struct{ off int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte((p.off + int64(i)) * 31 >> 3)
	}
	p.off += int64(len(b))
	return len(b), nil
}

// TestEnvelope_AddressesAsDovecot_RFC3501_7_4_2: the envelope keeps the
// addresses Dovecot keeps where RFC 5322 has none to give: the comment
// after a bare addr-spec as the name, a local part alone with the domain
// MISSING_DOMAIN (each of a list of them), and a null path with a name
// or a name alone as MISSING_MAILBOX at MISSING_DOMAIN (checked against
// Dovecot 2.3.19).
func TestEnvelope_AddressesAsDovecot_RFC3501_7_4_2(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		want        []EnvelopeAddress
	}{
		{"comment as name", "bbb@ddd.com (John X. Doe)", []EnvelopeAddress{{Name: "John X. Doe", Mailbox: "bbb", Host: "ddd.com"}}},
		{"display name wins over comment", "Jane <j@x.test> (her)", []EnvelopeAddress{{Name: "Jane", Mailbox: "j", Host: "x.test"}}},
		{"local parts alone", "abel, bianchi,\r\n  stornett@flash", []EnvelopeAddress{
			{Mailbox: "abel", Host: MissingDomain}, {Mailbox: "bianchi", Host: MissingDomain}, {Mailbox: "stornett", Host: "flash"}}},
		{"local part with comment", "nsb (Nathaniel Borenstein)", []EnvelopeAddress{{Name: "Nathaniel Borenstein", Mailbox: "nsb", Host: MissingDomain}}},
		{"null path with a name", "MAILER DAEMON <>", []EnvelopeAddress{{Name: "MAILER DAEMON", Mailbox: MissingMailbox, Host: MissingDomain}}},
		{"null path alone", "<>", []EnvelopeAddress{{Mailbox: MissingMailbox, Host: MissingDomain}}},
		{"white space in names made one space", "\"  J \t  Doe  \" <j@x.org>, k@y.org (  Co   mment )", []EnvelopeAddress{
			{Name: "J Doe", Mailbox: "j", Host: "x.org"}, {Name: "Co mment", Mailbox: "k", Host: "y.org"}}},
		{"a name alone", `John Smith, "q r"`, []EnvelopeAddress{
			{Name: "John Smith", Mailbox: MissingMailbox, Host: MissingDomain}, {Name: "q r", Mailbox: MissingMailbox, Host: MissingDomain}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h Header
			h.Add("To", tc.field)
			assert.Equal(t, tc.want, NewEnvelope(&h).To)
		})
	}
}

// TestEnvelope_EmptyAndMissingFields_RFC3501_7_4_2: a field the header
// has but leaves empty is Present (ENVELOPE sends ""), a missing one is
// not (NIL), as Dovecot answers; the subject's white space runs are one
// space.
func TestEnvelope_EmptyAndMissingFields_RFC3501_7_4_2(t *testing.T) {
	for _, tc := range []struct {
		name, header string
		subject      string
		present      EnvelopePresence
	}{
		{"all present and empty", "Date:\r\nSubject:\r\nMessage-ID:\r\nIn-Reply-To:\r\n", "",
			EnvelopePresence{Date: true, Subject: true, InReplyTo: true, MessageID: true}},
		{"only subject, empty", "Subject: \r\n", "", EnvelopePresence{Subject: true}},
		{"none", "X-Other: y\r\n", "", EnvelopePresence{}},
		{"folded subject with runs of white space", "Subject:   a  b\t\tc\r\n  d   \r\n", "a b c d", EnvelopePresence{Subject: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ReadHeader(bufio.NewReader(strings.NewReader(tc.header + "\r\n")))
			require.NoError(t, err)
			e := NewEnvelope(&h)
			assert.Equal(t, tc.subject, e.Subject)
			assert.Equal(t, tc.present, e.Present)
		})
	}
}
