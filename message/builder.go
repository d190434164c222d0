package message

import (
	"io"
	"strings"
)

// A Builder composes a whole message from its parts and writes it with
// WriteTo, choosing the MIME structure (RFC 2046 section 5.1):
//
//   - Text and HTML together become multipart/alternative, the plain text
//     first as section 5.1.4 asks;
//   - HTML with Inline parts becomes multipart/related (RFC 2387), the
//     inline parts referenced from the HTML by their Content-ID;
//   - Attachments wrap all of this in multipart/mixed.
//
// Bodies are streamed from their readers when the message is written.
type Builder struct {
	// Header holds From, To, Subject and any other field; set them with
	// SetAddressList, SetText and Set. Date, Message-ID and MIME-Version
	// are added if missing (see NewWriter).
	Header Header
	// Text and HTML are the bodies, in UTF-8.
	Text, HTML string
	// Inline parts are shown within the HTML body.
	Inline []Attachment
	// Attachments are files attached to the message.
	Attachments []Attachment
}

// An Attachment is a part with a body read from Body.
type Attachment struct {
	// Filename is written as the filename parameter of
	// Content-Disposition, with RFC 2231 encoding when it is not ASCII.
	Filename string
	// ContentType is the media type, with parameters if any;
	// "application/octet-stream" when empty.
	ContentType string
	// ContentID, for inline parts, is the Content-ID without angle
	// brackets, as the HTML refers to it ("cid:" URLs, RFC 2392).
	ContentID string
	// Body is the content, read to its end when the message is written.
	Body io.Reader
}

// WriteTo writes the message to w.
func (b *Builder) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	h := b.Header.Clone()
	b.setBodyType(&h, true)
	mw, err := NewWriter(cw, h)
	if err != nil {
		return cw.n, err
	}
	if err := b.writeBody(mw); err != nil {
		return cw.n, err
	}
	return cw.n, mw.Close()
}

// setBodyType gives the message header the Content-Type of its top entity.
// Without attachments, it is the type of the content alone.
func (b *Builder) setBodyType(h *Header, attachments bool) {
	switch {
	case attachments && len(b.Attachments) > 0:
		h.SetContentType("multipart/mixed", nil)
	case b.Text != "" && b.HTML != "":
		h.SetContentType("multipart/alternative", nil)
	case b.HTML != "" && len(b.Inline) > 0:
		h.SetContentType("multipart/related", Params{{"type", "text/html"}})
	case b.HTML != "":
		h.SetContentType("text/html", Params{{"charset", "utf-8"}})
	default:
		h.SetContentType("text/plain", Params{{"charset", "utf-8"}})
	}
}

func (b *Builder) writeBody(mw *Writer) error {
	if len(b.Attachments) == 0 {
		return b.writeContent(mw)
	}
	var h Header
	b.setBodyType(&h, false)
	part, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if err := b.writeContent(part); err != nil {
		return err
	}
	for _, a := range b.Attachments {
		if err := writeAttachment(mw, a, "attachment"); err != nil {
			return err
		}
	}
	return nil
}

// writeContent writes the text, HTML and inline parts into mw, whose
// header setBodyType chose.
func (b *Builder) writeContent(mw *Writer) error {
	switch {
	case b.Text != "" && b.HTML != "":
		if err := writeTextPart(mw, "text/plain", b.Text); err != nil {
			return err
		}
		if len(b.Inline) == 0 {
			return writeTextPart(mw, "text/html", b.HTML)
		}
		var h Header
		h.SetContentType("multipart/related", Params{{"type", "text/html"}})
		rel, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		return b.writeRelated(rel)
	case b.HTML != "" && len(b.Inline) > 0:
		return b.writeRelated(mw)
	case b.HTML != "":
		_, err := io.WriteString(mw, b.HTML)
		return err
	default:
		_, err := io.WriteString(mw, b.Text)
		return err
	}
}

func (b *Builder) writeRelated(mw *Writer) error {
	if err := writeTextPart(mw, "text/html", b.HTML); err != nil {
		return err
	}
	for _, a := range b.Inline {
		if err := writeAttachment(mw, a, "inline"); err != nil {
			return err
		}
	}
	return mw.Close()
}

func writeTextPart(mw *Writer, mt, text string) error {
	var h Header
	h.SetContentType(mt, Params{{"charset", "utf-8"}})
	part, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(part, text); err != nil {
		return err
	}
	return part.Close()
}

func writeAttachment(mw *Writer, a Attachment, disposition string) error {
	var h Header
	ct := a.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	mt, params, err := ParseMediaType(ct)
	if err != nil {
		mt, params = "application/octet-stream", nil
	}
	if a.Filename != "" && params.Get("name") == "" && isPrintableASCII(a.Filename) {
		// Older readers look for the name parameter (RFC 2046 section
		// 4.5.1 mentions it); it is written only when no encoding is
		// needed, RFC 2231 being for Content-Disposition.
		params = append(params, Param{"name", a.Filename})
	}
	h.SetContentType(mt, params)
	var dp Params
	if a.Filename != "" {
		dp = Params{{"filename", a.Filename}}
	}
	h.SetContentDisposition(disposition, dp)
	if a.ContentID != "" {
		h.Set("Content-ID", "<"+strings.Trim(a.ContentID, "<>")+">")
	}
	part, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if a.Body != nil {
		if _, err := io.Copy(part, a.Body); err != nil {
			return err
		}
	}
	return part.Close()
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
