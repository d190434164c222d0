// Package debugtrace writes the Debug transcript that the smtp, pop3 and
// imap clients share: one line per protocol line, "C: " for what the
// client sent and "S: " for what the server sent, as in the RFCs'
// examples (RFC 5321 appendix D, RFC 1939 section 10, RFC 3501 section
// 8). Credentials are replaced by Redacted and message data by a count,
// so that a trace can be shared without leaking passwords or mail.
package debugtrace

import (
	"bytes"
	"fmt"
	"io"
)

// Redacted stands in a trace, of a client or of a server
// (internal/netserver), for credentials: a password, a SASL response, an
// AUTH initial response, a token.
const Redacted = "***"

// Side says who sent a line.
type Side byte

const (
	Client Side = 'C' // the client's lines, "C: ..."
	Server Side = 'S' // the server's lines, "S: ..."
)

// Line writes one protocol line, without its CRLF, as "C: line" or
// "S: line". A nil w writes nothing, so that callers need no check of
// their own. Write errors are ignored: a failing trace must not fail the
// session.
func Line(w io.Writer, from Side, line string) {
	if w != nil {
		fmt.Fprintf(w, "%c: %s\n", from, line)
	}
}

// Octets writes "C: [n octets]" or "S: [n octets]" in place of n octets
// of message data or of a literal.
func Octets(w io.Writer, from Side, n int64) {
	if w != nil {
		fmt.Fprintf(w, "%c: [%d octets]\n", from, n)
	}
}

// Redact returns line for the Debug output with everything after its
// first keep words replaced by Redacted: "AUTH PLAIN ***" (RFC 4954
// section 4), "PASS ***" (RFC 1939 section 7), "a1 LOGIN ***" (RFC 3501
// section 6.2.3). A line of keep words or fewer is returned as it is.
func Redact(line []byte, keep int) string {
	i := 0
	for range keep {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		for i < len(line) && line[i] != ' ' {
			i++
		}
	}
	if len(bytes.TrimLeft(line[i:], " ")) == 0 {
		return string(line)
	}
	return string(line[:i]) + " " + Redacted
}
