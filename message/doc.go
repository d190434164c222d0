// Package message reads and writes Internet mail messages: RFC 5322 header
// fields, addresses and dates, MIME entities (RFC 2045, RFC 2046), encoded
// words and parameter values (RFC 2047, RFC 2231), UTF-8 headers (RFC 6532)
// and the text of every charset golang.org/x/text knows.
//
// Everything is written by hand and streams: message bodies pass through
// io.Reader and io.Writer, and the memory used does not grow with the size
// of the input. Inputs that exceed a limit (see Limits) yield an error value.
//
// # Reading
//
// ReadHeader parses a header section and keeps every field's raw bytes, so
// a header written back unchanged (Header.WriteTo) is identical
// byte-for-byte. Header.Text, Header.AddressList, Header.Date and
// Header.ContentType interpret the common fields.
//
// NewReader walks the MIME entities of a message depth-first in one pass:
// each call to Reader.NextPart returns the next Part, whose body may be read
// as transmitted (Part.Raw), with its Content-Transfer-Encoding undone
// (Part.Body) or as UTF-8 text (Part.Text).
//
// ReadStructure summarises a message in one pass for IMAP (RFC 3501 section
// 7.4.2): the envelope, the body structure, and the byte offsets of every
// part's header and body, so that BODY[section] fetches can be served by
// seeking into the stored message.
//
// # Writing
//
// NewWriter streams one entity (and, for multipart types, its parts) to an
// io.Writer, choosing a transfer encoding when none is given. Builder
// composes whole messages from streamed bodies: text and HTML
// alternatives, inline related parts and attachments; Builder.Envelope
// gives the SMTP envelope (Bcc included, never written) and Builder.Reader
// the message as an io.Reader, the two arguments smtp.Client.Send takes.
package message
