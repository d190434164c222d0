// Package dotstream reads and writes the dot-stuffed text stream that ends
// SMTP DATA (RFC 5321 section 4.5.2) and POP3 multi-line responses (RFC 1939
// section 3): lines end in CRLF, a line that begins with "." gets one more
// ".", and a line holding only "." ends the stream.
//
// The Reader is strict about framing because framing is security: only
// CRLF "." CRLF ends the stream, so a bare LF or bare CR can never end a
// message early (the 2023 "SMTP smuggling" attacks). By default a bare LF or
// bare CR inside the data is an error; Options can allow them as data.
// Memory is bounded by the bufio.Reader's buffer whatever the input size.
package dotstream
