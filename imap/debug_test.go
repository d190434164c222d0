package imap

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mailwire/mailwire/internal/debugtrace"
)

// TestDebugTap splits a stream of commands, fed one octet at a time, into
// trace lines: literals become counts, the credentials of LOGIN (RFC 3501
// section 6.2.3) and of an AUTHENTICATE exchange (section 6.2.2) the
// marker, and a line too long to keep shows its start and how much was
// left out, its literal still found.
func TestDebugTap(t *testing.T) {
	long := "a3 APPEND INBOX (" + strings.Repeat("x", maxDebugLine) + ") {4}\r\n"
	cut := strconv.Itoa(len(long) - len("\r\n") - maxDebugLine)
	for _, tc := range []struct {
		name, in string
		sasl     bool
		want     string
	}{
		{"literal", "a1 APPEND INBOX {5}\r\nhello\r\n", false, "C: a1 APPEND INBOX {5}\nC: [5 octets]\nC: \n"},
		{"empty literal", "a1 RENAME {0}\r\n x\r\n", false, "C: a1 RENAME {0}\nC: [0 octets]\nC:  x\n"},
		{"LOGIN", "a1 LOGIN alice secret\r\na2 NOOP\r\n", false, "C: a1 LOGIN ***\nC: a2 NOOP\n"},
		{"LOGIN literals", "a1 login {5}\r\nalice {6}\r\nsecret\r\n", false, "C: a1 login ***\nC: ***\nC: ***\n"},
		{"AUTHENTICATE", "a1 AUTHENTICATE PLAIN\r\nAGFsaWNlAHNlY3JldA==\r\n", true, "C: a1 AUTHENTICATE PLAIN\nC: ***\n"},
		{"long line", long + "abcd)\r\n", false, "C: " + long[:maxDebugLine] + " [+" + cut + " octets]\nC: [4 octets]\nC: )\n"},
	} {
		var out bytes.Buffer
		tap := &debugTap{w: &out, side: debugtrace.Client, commands: true}
		for i := range len(tc.in) {
			tap.feed([]byte{tc.in[i]}, tc.sasl)
		}
		assert.Equal(t, tc.want, out.String(), tc.name)
	}
}
