package imap

import (
	"bufio"
	"bytes"
	"io"
	"strings"

	"github.com/mailwire/mailwire/message"
)

// sectionRange returns the bytes [start, end) of the stored message that a
// section names (RFC 3501 section 6.4.5), or false when the message has
// no such part. st may be nil for BODY[], which needs no parsing.
func sectionRange(st *message.Structure, size int64, s *FetchItemBodySection) (start, end int64, ok bool) {
	if len(s.Part) == 0 {
		switch s.Specifier {
		case PartAll:
			return 0, size, true
		case PartText:
			return st.BodyOffset, st.End, true
		default: // HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT
			return st.HeaderOffset, st.BodyOffset, true
		}
	}
	p := st.Part(s.Part...)
	if n := len(s.Part); p == nil && n > 1 && s.Part[n-1] == 1 {
		// A leaf part of a multipart has one part, itself, as RFC 3501
		// section 6.4.5 says of a whole non-multipart message; Dovecot
		// and UW imapd read it so. The part 1 of a non-multipart
		// message has none.
		parent := st.Part(s.Part[:n-2]...)
		if q := st.Part(s.Part[:n-1]...); q != nil && len(q.Parts) == 0 && q.Message == nil && parent != nil && len(parent.Parts) > 0 {
			p = q
		}
	}
	if p == nil {
		return 0, 0, false
	}
	switch s.Specifier {
	case PartAll:
		return p.BodyOffset, p.End, true
	case PartMIME:
		return p.HeaderOffset, p.BodyOffset, true
	}
	// HEADER and TEXT of a part are those of the message a
	// message/rfc822 part encapsulates.
	if p.Message == nil {
		return 0, 0, false
	}
	if s.Specifier == PartText {
		return p.Message.BodyOffset, p.Message.End, true
	}
	return p.Message.HeaderOffset, p.Message.BodyOffset, true
}

// writeSection writes one BODY[section]<origin> item (RFC 3501 section
// 7.4.2): the label, then the bytes as a literal copied from the stored
// message. A partial fetch past the end, and a part that does not
// exist, give an empty string, as Dovecot answers: clients that take the
// nstring as a string then need no special case.
func (c *Conn) writeSection(m Message, st *message.Structure, open func() (MessageReader, error), s *FetchItemBodySection, name string) error {
	w := c.w
	if name != "" {
		w.Raw(name).SP()
	} else {
		var sb strings.Builder
		sb.WriteString("BODY")
		writeSectionSpec(&sb, s.Part, s.Specifier, quoteFields(s.HeaderFields))
		writeOrigin(&sb, s.Partial)
		w.Raw(sb.String()).SP()
	}
	start, end, ok := sectionRange(st, m.Size(), s)
	if !ok {
		w.Literal(strings.NewReader(""), 0, false)
		return nil
	}
	r, err := open()
	if err != nil {
		return err
	}
	var src io.ReaderAt = r
	if s.Specifier == PartHeaderFields || s.Specifier == PartHeaderFieldsNot {
		b, err := filterHeader(io.NewSectionReader(r, start, end-start), s.HeaderFields, s.Specifier == PartHeaderFieldsNot)
		if err != nil {
			return err
		}
		if headerEnded(r, start, end, s.Specifier == PartHeaderFieldsNot) {
			b = append(b, '\r', '\n')
		}
		src, start, end = bytes.NewReader(b), 0, int64(len(b))
	}
	if p := s.Partial; p != nil {
		start = min(start+p.Offset, end)
		end = min(end, start+p.Size)
	}
	w.Literal(nulFree{io.NewSectionReader(src, start, end-start)}, end-start, false)
	return nil
}

// nulFree replaces NUL, which no IMAP literal may hold (RFC 3501 section
// 4.3, CHAR8), with 0x80 as Dovecot does; BINARY (RFC 3516) would be the
// way to send it as it is.
type nulFree struct{ r io.Reader }

func (n nulFree) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	for b := p[:k]; ; {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			break
		}
		b[i] = 0x80
		b = b[i+1:]
	}
	return k, err
}

// filterHeader returns the fields of a header section named in fields
// (HEADER.FIELDS), or those not named (HEADER.FIELDS.NOT), as they are
// stored, each ended by a line end. The caller adds the empty line that
// ends a header (RFC 3501 section 6.4.5) when headerEnded says so. A header over the message package's limits is filtered among
// the fields before the limit, the ones ENVELOPE and SEARCH see; BODY[HEADER]
// still serves the whole section as stored.
func filterHeader(r io.Reader, fields []string, not bool) ([]byte, error) {
	h, err := message.ReadHeaderTruncated(bufio.NewReader(r), message.Limits{})
	if err != nil {
		return nil, err
	}
	var out []byte
	for i := 0; i < h.Len(); i++ {
		f := h.At(i)
		named := false
		for _, name := range fields {
			if strings.EqualFold(name, f.Key) {
				named = true
				break
			}
		}
		if named != not && f.Key != "" {
			out = append(out, f.Raw()...)
			if !bytes.HasSuffix(out, []byte("\n")) {
				// The message ends inside this field: Dovecot ends it.
				out = append(out, '\r', '\n')
			}
		}
	}
	return out, nil
}

// headerEnded reports whether a HEADER.FIELDS (not: HEADER.FIELDS.NOT)
// answer for the header section [start, end) of r ends with an empty
// line, as Dovecot answers for a message that ends inside its header:
// HEADER.FIELDS.NOT has it only when the stored header has it (the
// section is that line alone or ends with two line ends), HEADER.FIELDS
// also when the stored header's last line is at least ended.
func headerEnded(r io.ReaderAt, start, end int64, not bool) bool {
	n := min(end-start, 4)
	tail := make([]byte, n)
	if _, err := r.ReadAt(tail, end-n); err != nil {
		return false
	}
	s := string(tail)
	if !not {
		return strings.HasSuffix(s, "\n")
	}
	return s == "\r\n" || s == "\n" || strings.HasSuffix(s, "\n\r\n") || strings.HasSuffix(s, "\n\n")
}
