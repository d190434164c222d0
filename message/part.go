package message

import (
	"errors"
	"io"
	"strings"
)

// A Part is one MIME entity (RFC 2045 section 2.4) as a Reader walks the
// message: its header, what the header says about the body, and where the
// entity lies in the input.
type Part struct {
	Header Header
	// MediaType is the lower-case type/subtype from Content-Type, or the
	// default of RFC 2045 section 5.2 (text/plain) or, inside
	// multipart/digest, of RFC 2046 section 5.1.5 (message/rfc822).
	MediaType string
	// Params are the Content-Type parameters, decoded (RFC 2231).
	Params Params
	// Encoding is the Content-Transfer-Encoding in lower case, "7bit" when
	// absent (RFC 2045 section 6.1).
	Encoding string
	// Parent is the multipart or message/rfc822 entity that contains this
	// one, nil for the message itself.
	Parent *Part
	// Index is the position of the part among its parent's parts,
	// counting from 1 as IMAP does (RFC 3501 section 6.4.5); 0 for the
	// message itself and for a message encapsulated in message/rfc822.
	Index int
	// Depth is the number of containers around the entity: 0 for the
	// message itself.
	Depth int
	// HeaderOffset and BodyOffset are the offsets in the input of the
	// first byte of the entity's header and of its body.
	HeaderOffset, BodyOffset int64

	end      int64 // offset just past the body; set when it is known
	lines    int64 // line feeds in the body; set with end
	bodyLF   int64 // line feeds in the input before BodyOffset
	ended    bool
	boundary string // for a multipart part with a boundary
	touched  bool   // the body has been read: the walk will not enter it
	r        *Reader
	raw      rawBody
	summary  *Structure
}

// IsMultipart reports whether the part is a multipart entity whose parts
// the Reader will return (RFC 2046 section 5.1): one of type multipart with
// a boundary parameter.
func (p *Part) IsMultipart() bool { return p.boundary != "" }

// IsMessage reports whether the part encapsulates a message that the
// Reader will walk (RFC 2046 section 5.2.1): message/rfc822 or
// message/global (RFC 6532 section 3.7) in an identity transfer encoding.
func (p *Part) IsMessage() bool {
	return (p.MediaType == "message/rfc822" || p.MediaType == "message/global") && isIdentityEncoding(p.Encoding)
}

func isIdentityEncoding(enc string) bool {
	return enc == "7bit" || enc == "8bit" || enc == "binary"
}

// Charset returns the charset parameter, "us-ascii" when a text part has
// none (RFC 2046 section 4.1.2).
func (p *Part) Charset() string {
	if cs := p.Params.Get("charset"); cs != "" {
		return cs
	}
	if strings.HasPrefix(p.MediaType, "text/") {
		return "us-ascii"
	}
	return ""
}

// End returns the offset just past the part's body, and whether it is
// known yet: it is once the body has been read to its end or the walk
// has moved past the part (for a container, past all it contains).
func (p *Part) End() (int64, bool) { return p.end, p.ended }

// Lines returns the number of lines in the body as transmitted, counted
// by their line feeds, and whether it is known yet (see End). A last line
// without a line end is not counted: in a multipart the CRLF before a
// delimiter belongs to the delimiter (RFC 2046 section 5.1.1), so a part
// "text" that stops there has 0 lines, which is IMAP's body-fld-lines
// (RFC 3501 section 7.4.2) as Dovecot and UW imapd count it.
func (p *Part) Lines() (int64, bool) { return p.lines, p.ended }

// ErrNotCurrent is returned when reading the body of a part that is no
// longer the Reader's current part.
var ErrNotCurrent = errors.New("message: part is not the current part")

// Raw returns the body as transmitted, transfer encoding included. Its
// bytes are exactly those of the input between BodyOffset and End.
//
// Reading the body of a multipart or message/rfc822 part consumes the
// entities inside it: the Reader then does not return them.
func (p *Part) Raw() io.Reader { return &p.raw }

// Body returns the body with its Content-Transfer-Encoding undone (RFC 2045
// section 6): base64 and quoted-printable are decoded tolerantly, the
// identity encodings and unknown ones pass through.
func (p *Part) Body() io.Reader {
	switch p.Encoding {
	case "base64":
		p.r.b64.reset(&p.raw)
		return &p.r.b64
	case "quoted-printable":
		p.r.qp.reset(&p.raw)
		return &p.r.qp
	}
	return &p.raw
}

// Text returns the body as Body does and, for text/* parts, converted from
// its charset to UTF-8. For an unknown charset it returns Body() and a
// *CharsetError.
func (p *Part) Text() (io.Reader, error) {
	body := p.Body()
	if !strings.HasPrefix(p.MediaType, "text/") {
		return body, nil
	}
	e, err := lookupCharset(p.Charset())
	if err != nil || e == nil {
		return body, err
	}
	p.r.text.reset(body, p.r.decoder(e))
	return &p.r.text, nil
}

// rawBody reads the body of a part through its Reader.
type rawBody struct{ p *Part }

func (b *rawBody) Read(buf []byte) (int, error) {
	r := b.p.r
	if r.cur != b.p {
		return 0, ErrNotCurrent
	}
	b.p.touched = true
	return r.readBody(buf)
}

// chunk returns the next piece of the body as scanned, without copying;
// it is valid until the next call.
func (b *rawBody) chunk() ([]byte, error) {
	r := b.p.r
	if r.cur != b.p {
		return nil, ErrNotCurrent
	}
	b.p.touched = true
	return r.chunk()
}
