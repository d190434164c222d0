package message

import (
	"io"
	"strings"
)

// A Structure summarises one MIME entity with everything IMAP's
// BODYSTRUCTURE reports of it (RFC 3501 section 7.4.2) and where it lies in
// the message, so that a server can answer FETCH BODYSTRUCTURE, ENVELOPE and
// BODY[section] from the summary and the stored bytes, without parsing the
// message again.
//
// # Offsets
//
// Offsets count bytes from the start of the message as it was read (a
// server that stores bare LF line ends and serves CRLF must convert). For
// an entity s:
//
//   - [s.HeaderOffset, s.BodyOffset) is its header, the empty line that ends
//     it included: BODY[HEADER] for the message itself, BODY[n.MIME] for a
//     part;
//   - [s.BodyOffset, s.End) is its body: BODY[TEXT] for the message
//     itself, BODY[n] for a part. For a multipart body this includes the
//     preamble, the delimiter lines and the epilogue; for a part inside a
//     multipart it excludes the line end before the next delimiter, which
//     belongs to the delimiter (RFC 2046 section 5.1.1).
//
// For a message/rfc822 part s, s.Message summarises the encapsulated
// message, so BODY[n.HEADER] is [s.Message.HeaderOffset,
// s.Message.BodyOffset) and BODY[n.TEXT] is [s.Message.BodyOffset,
// s.Message.End). Structure.Part resolves section part numbers.
type Structure struct {
	// Type and Subtype are the media type in lower case, the defaults of
	// RFC 2045 section 5.2 and RFC 2046 section 5.1.5 applied.
	Type, Subtype string
	// Params are the Content-Type parameters, decoded (RFC 2231); for a
	// text part without a charset, charset=us-ascii is supplied after the
	// others, as RFC 3501 section 7.4.2's example and RFC 2045 section 5.2
	// have it and where Dovecot adds it.
	// Values are UTF-8: a server must write non-ASCII ones as literals or
	// encode them.
	Params Params
	// ID, Description, MD5 and Location are the values of Content-ID,
	// Content-Description, Content-MD5 (RFC 1864) and Content-Location
	// (RFC 2557), unfolded, as written; "" when absent.
	ID, Description, MD5, Location string
	// Encoding is the Content-Transfer-Encoding in lower case, "7bit" when
	// absent.
	Encoding string
	// Disposition is the Content-Disposition type in lower case (RFC
	// 2183), "" when absent, and DispositionParams its parameters.
	Disposition       string
	DispositionParams Params
	// Language lists the Content-Language tags (RFC 3282).
	Language []string

	// HeaderOffset, BodyOffset and End locate the header and the body in
	// the message, as "Offsets" above describes.
	HeaderOffset, BodyOffset, End int64
	// Size is the size of the body in octets, End-BodyOffset: body-fld-octets.
	Size int64
	// Lines is the number of line feeds in the body as transmitted:
	// body-fld-lines, which IMAP reports for text/* and message/rfc822
	// parts (RFC 3501 section 7.4.2). A last line without a line end is
	// not counted (see Part.Lines).
	Lines int64

	// Parts are the parts of a multipart entity, in order.
	Parts []*Structure
	// Envelope is set for the message itself and for the message
	// encapsulated in a message/rfc822 part, that is on s and s.Message.
	Envelope *Envelope
	// Message summarises the message encapsulated in a message/rfc822
	// part (RFC 2046 section 5.2.1). It is nil when the part is not in an
	// identity transfer encoding (RFC 2046 section 5.2.1 forbids others,
	// and such a body is summarised as a leaf) or was cut short before its
	// body began.
	Message *Structure

	// Truncated is set on the root when the message was over one of the
	// reader's Limits and the summary stops at the limit (see
	// Reader.Truncate): what lies beyond is one opaque
	// application/octet-stream part, and an over-long header keeps only
	// its first fields for the Envelope.
	Truncated bool
}

// MediaType returns "type/subtype".
func (s *Structure) MediaType() string { return s.Type + "/" + s.Subtype }

// IsMultipart reports whether the entity has parts.
func (s *Structure) IsMultipart() bool { return s.Type == "multipart" && len(s.Parts) > 0 }

// Part resolves an IMAP section part number (RFC 3501 section 6.4.5) such
// as 1.2 (Part(1, 2)) against the message summarised by s and returns that
// part, or nil when there is none. Part() with no numbers returns s. The
// parts of a multipart are numbered from 1; a non-multipart message (or
// encapsulated message) has a single part 1, its body; the parts of a
// message/rfc822 part are those of the message it encapsulates.
func (s *Structure) Part(path ...int) *Structure {
	cur := s
	for i, n := range path {
		// Numbers apply to the message itself at first, then to the
		// message a message/rfc822 part encapsulates, or to a multipart.
		container, isMessage := cur, i == 0
		if i > 0 && cur.Message != nil {
			container, isMessage = cur.Message, true
		}
		switch {
		case container.IsMultipart():
			if n < 1 || n > len(container.Parts) {
				return nil
			}
			cur = container.Parts[n-1]
		case isMessage && n == 1:
			cur = container
		default:
			return nil
		}
	}
	return cur
}

// ReadStructure reads a whole message from r in one streaming pass and
// returns the summary of its root entity, with the default Limits. A
// message over a limit is not an error: the summary is truncated there
// and flagged (Structure.Truncated), so that a server can serve any
// stored message; only I/O errors are returned.
func ReadStructure(r io.Reader) (*Structure, error) {
	return ReadStructureLimits(r, Limits{})
}

// ReadStructureLimits is ReadStructure with the given limits (zero fields
// mean the defaults), such as a MaxDepth other than DefaultMaxDepth.
func ReadStructureLimits(r io.Reader, lim Limits) (*Structure, error) {
	mr := NewReader(r)
	mr.Limits, mr.Truncate = lim, true
	return mr.Structure()
}

// Structure walks the rest of the message, which must not have been started
// with NextPart, and returns the summary of its root entity. Headers are
// dropped as soon as they are summarised, so memory grows with the number
// of parts, never with the size of the message. With r.Truncate set a
// limit truncates the summary rather than failing it.
func (r *Reader) Structure() (*Structure, error) {
	var root *Structure
	var parts []*Part
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		s := newStructure(p)
		p.summary = s
		switch {
		case p.Parent == nil:
			root = s
			s.Envelope = NewEnvelope(&p.Header)
		case p.Parent.IsMessage() && p.Index == 0:
			p.Parent.summary.Message = s
			s.Envelope = NewEnvelope(&p.Header)
		default:
			p.Parent.summary.Parts = append(p.Parent.summary.Parts, s)
		}
		p.Header = Header{}
		parts = append(parts, p)
	}
	for _, p := range parts {
		s := p.summary
		s.End, s.Lines = p.end, p.lines
		s.Size = s.End - s.BodyOffset
	}
	if root != nil {
		root.Truncated = r.cut
	}
	return root, nil
}

func newStructure(p *Part) *Structure {
	h := &p.Header
	s := &Structure{
		Params:       p.Params,
		Encoding:     p.Encoding,
		ID:           h.Get("Content-ID"),
		Description:  h.Get("Content-Description"),
		MD5:          h.Get("Content-MD5"),
		Location:     h.Get("Content-Location"),
		HeaderOffset: p.HeaderOffset,
		BodyOffset:   p.BodyOffset,
	}
	s.Type, s.Subtype, _ = strings.Cut(p.MediaType, "/")
	if s.Type == "text" && s.Params.Get("charset") == "" {
		s.Params = append(s.Params, Param{"charset", "us-ascii"})
	}
	if d, dp, err := h.ContentDisposition(); d != "" && err == nil {
		s.Disposition, s.DispositionParams = d, dp
	}
	if v := h.Get("Content-Language"); v != "" {
		for _, tag := range strings.Split(v, ",") {
			if tag = strings.TrimSpace(tag); tag != "" {
				s.Language = append(s.Language, tag)
			}
		}
	}
	return s
}
