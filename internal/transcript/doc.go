// Package transcript runs the transcript tests of smtp, pop3 and imap: one
// file format and one runner for the three protocols and for both
// directions.
//
// It is test support: only _test.go files of this module import it (a
// test here fails if any other file does), so it may call testing and
// stop at the first mismatch; nothing in it is library API.
//
// # The format
//
// A transcript reads like the examples of RFC 5321 appendix D, RFC 1939
// section 10 and RFC 3501 section 8: "C:" lines are what the client sends,
// "S:" lines what the server sends, in the order they cross the wire. In
// this example the right-hand column explains and is not part of a file:
//
//	# A comment: any line that starts with "#". Blank lines are ignored.
//	@ tls                              an option (see below)
//	@ MaxErrors 3                      an option that sets Server.MaxErrors
//	@ user alice secret
//	S: +OK pop.test ready ${timestamp} a line; ${timestamp} is a placeholder
//	C: APOP alice ${apop secret}       a line, sent with CRLF
//	C: STAT\r\nLIST                    escapes: two lines in one write
//	C+ RAW\r                           raw: sent as is, no CRLF added
//	S~ \+OK \d+ \d+                    a pattern: a Go regexp, whole line
//	C: STLS
//	S: +OK Begin TLS negotiation
//	C: <starttls>                      TLS starts here on this connection
//	C2: USER bob                       a second connection (digits 2 to 9)
//	S2: +OK
//	C: QUIT
//	S: +OK bye
//	S: <closed>                        the server closes the connection
//	= uids alice m2                    a check of the server's state
//
// Lines start with a side, C or S, an optional connection digit (1, the
// first connection, when none is written), and a form: ':' for a line
// (the runner adds CRLF when it sends one and removes it when it reads
// one; a single space after the colon is not part of the text, so "S:"
// alone is an empty line), '+' for raw bytes with no CRLF, '~' for a
// pattern. Every line is matched exactly except patterns, which are RE2
// syntax matched against the whole line without its CRLF (escapes below
// do not apply to them; the regexp's own do).
//
// Escapes in text, options and checks: \r \n \t \0, \xHH for any octet
// and \\ for a backslash; a backslash before any other character stands
// for itself, so IMAP flags (\Seen) need no doubling.
//
// Markers: "<closed>" as a side's whole text means that side closes the
// connection there (the runner either closes it or requires that the next
// read finds the end of the stream with no byte before it); "C:
// <starttls>" means the TLS handshake starts there (RFC 3207 section 4,
// RFC 2595 section 3.1): the runner first requires that nothing it has
// not read arrived after the STARTTLS reply, so text pipelined in the
// clear cannot cross into the TLS session.
//
// Placeholders: ${name} in a line the runner reads matches the regexp its
// package gives for name, and the text it matched is kept for that
// connection; ${name} in a line the runner sends stands for that text,
// and ${name arg} for what the package's function name returns for arg
// (the APOP digest of RFC 1939 section 7, for example). "${" is not
// otherwise special, and neither are IMAP literals such as {13}.
//
// Options ("@ name argument", before the first C: or S: line) configure
// the server a server transcript runs against. A name that starts with a
// capital letter is a field of the package's Server, set with SetField
// (true or false, a number, a Go duration such as 200ms, a string); any
// other is the package's own (users, preloaded messages, TLS). Checks
// ("= name argument") ask the package's test about the server's state at
// that point of the exchange: messages stored, flags, deletions.
//
// # Two directions
//
// A server transcript (testdata/transcripts/server/*.txt in each package)
// tests the package's server: Server.Run starts one server per file
// through the package's Start callback, with the file's options, dials it
// once for each connection the file names, sends the C: lines and checks
// the S: lines.
//
// A client transcript (testdata/transcripts/client/*.txt) tests the
// package's client: the file plays the server. Client.Play returns one end
// of an in-memory connection and plays the S: lines on the other while Go
// code drives the package's client on it and checks what the methods
// return; the runner checks that the client sends exactly the C: lines.
//
// Either way a mismatch stops the file with an *Error that names the file
// and line, and every connection has DefaultDeadline, so a peer that stops
// talking fails the test instead of hanging it.
package transcript
