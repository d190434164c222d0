package message

import (
	"errors"
	"io"
)

// A Builder composes a whole message from its parts, choosing the MIME
// structure (RFC 2046 section 5.1):
//
//   - Text and HTML together become multipart/alternative, the plain text
//     first as section 5.1.4 asks;
//   - HTML with Inline parts becomes multipart/related (RFC 2387), the
//     inline parts referenced from the HTML by their Content-ID;
//   - Attachments wrap all of this in multipart/mixed; so do Inline parts
//     when there is no HTML to refer to them, shown after the text.
//
// Bodies are io.Readers, streamed through their transfer encoders when the
// message is written: memory does not grow with their size. The transfer
// encoding of each part follows one rule, applied to every part alike (see
// BodyPart.Encoding).
//
// The message comes out of WriteTo, or of Reader for an API that wants an
// io.Reader, such as smtp.Client.Send; Envelope gives that call its
// MAIL FROM and RCPT TO. A Builder writes its message once: the bodies are
// read to their end, and a second WriteTo or Reader fails with
// ErrBuilderUsed (one refused for an invalid field reads nothing, and the
// Builder may be corrected and written).
type Builder struct {
	// Header holds From, To, Subject and any other field; set them with
	// SetAddressList, SetText and Set. Date, Message-ID and MIME-Version
	// are added if missing (see NewWriter); Content-Type and
	// Content-Transfer-Encoding are the Builder's and must not be set.
	// Bcc is read by Envelope and never written: the first method of RFC
	// 5322 section 3.6.3 (Resent-Bcc likewise, section 3.6.6).
	Header Header
	// MailFrom, when set, overrides the reverse-path Envelope derives from
	// Sender or From: an address, or "<>" for the null reverse-path (RFC
	// 5321 section 4.5.5), as for a bounce or an auto-reply.
	MailFrom string
	// Text and HTML are the bodies, in UTF-8 unless their ContentType
	// names another charset; nil when absent. A message with neither has
	// an empty text/plain body.
	Text, HTML *BodyPart
	// Inline parts are shown within the HTML body (Content-Disposition
	// inline, RFC 2183 section 2.1).
	Inline []BodyPart
	// Attachments are files attached to the message (Content-Disposition
	// attachment, RFC 2183 section 2.2).
	Attachments []BodyPart
	// EncodingSample is how many leading bytes of each body the transfer
	// encoding is chosen from; 0 means DefaultEncodingSample. The Builder
	// holds that many bytes of one body at a time.
	EncodingSample int

	used bool
}

// A BodyPart is one leaf of a message the Builder writes: its content, read
// from Body, and what its header says about it.
type BodyPart struct {
	// Body is the content, read to its end when the message is written;
	// nil for an empty part.
	Body io.Reader
	// ContentType is the media type, with parameters if any (RFC 2045
	// section 5.1). When empty it is "text/plain; charset=utf-8" for
	// Builder.Text, "text/html; charset=utf-8" for Builder.HTML and
	// "application/octet-stream" for the others.
	ContentType string
	// Filename names the file of an inline part or an attachment (RFC 2183
	// section 2.3). A name that is not short printable ASCII is written
	// three ways, for readers old and new: as filename*=utf-8''... on
	// Content-Disposition (RFC 2231 section 4), and as RFC 2047 encoded
	// words in the quoted filename= and in the name= of Content-Type, the
	// form older readers (and Outlook and Thunderbird themselves) write
	// and read.
	Filename string
	// ContentID is the Content-ID without angle brackets, for inline parts
	// the HTML refers to with "cid:" URLs (RFC 2392).
	ContentID string
	// Encoding is the Content-Transfer-Encoding (RFC 2045 section 6.1):
	// "7bit", "8bit", "binary", "quoted-printable" or "base64". When empty
	// the Builder chooses by one rule from the first EncodingSample bytes
	// of Body: for text, the identity (7bit) if the whole body fits in the
	// sample and is ASCII in lines of at most 998 octets with no bare CR;
	// quoted-printable if at most a third of the sample is non-ASCII;
	// base64 otherwise, and always for text with control characters and
	// for every other type. Encapsulated messages (message/*) are never
	// encoded (RFC 2046 section 5.2.1): 7bit or 8bit.
	//
	// The sample bounds memory; its price is that a body longer than the
	// sample is never sent as 7bit (a later line might break the rule), and
	// that text whose sample is ASCII but whose rest is not is sent as
	// quoted-printable however much of it is non-ASCII: correct, but
	// larger than base64 would have been. Set Encoding to decide yourself.
	Encoding string
	// Header holds extra fields for this part, such as Content-ID,
	// Content-Description or X- fields. Field names must be RFC 5322
	// section 2.2 field names; Content-Type, Content-Transfer-Encoding and
	// Content-Disposition are the Builder's and must not appear. For the
	// body of a single-part message, these fields go in the message header.
	Header Header
}

// ErrBuilderUsed is returned when a Builder is asked to write its message
// a second time: its bodies have already been read.
var ErrBuilderUsed = errors.New("message: Builder already wrote its message")

// WriteTo writes the message to w, streaming the bodies. It reports
// invalid fields (ErrInvalidHeader), media types (ErrInvalidMediaType) and
// the errors of the bodies' readers and of w.
func (b *Builder) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	s, err := b.newStream(cw)
	if err != nil {
		return 0, err
	}
	for !s.done {
		if err := s.step(); err != nil {
			return cw.n, err
		}
	}
	return cw.n, nil
}

// Reader returns the message as an io.Reader, for APIs that read a message
// (smtp.Client.Send, an IMAP APPEND): the message is produced as it is
// read, a bounded piece at a time, without a goroutine or a copy of the
// bodies. Its WriteTo writes the rest straight through. Errors, those
// WriteTo would return, come from Read.
func (b *Builder) Reader() io.Reader {
	r := &builderReader{}
	r.s, r.err = b.newStream(&r.buf)
	return r
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
