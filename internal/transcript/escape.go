package transcript

import "strings"

// Unescape turns the escapes of a transcript's text into the octets they
// name: \r \n \t \0, \xHH and \\. A backslash before anything else, or
// \x without two hex digits, stands for itself, so that IMAP system flags
// (RFC 3501 section 2.3.2) read as they are written.
func Unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		if k := strings.IndexByte(escapeNames, s[i+1]); k >= 0 {
			b.WriteByte(escapeOctets[k])
			i++
			continue
		}
		if s[i+1] == 'x' && i+3 < len(s) && isHex(s[i+2]) && isHex(s[i+3]) {
			b.WriteByte(hexValue(s[i+2])<<4 | hexValue(s[i+3]))
			i += 3
			continue
		}
		b.WriteByte('\\') // not an escape: the backslash stands for itself
	}
	return b.String()
}

// escapeNames[k] after a backslash stands for escapeOctets[k].
const (
	escapeNames  = `rnt0\`
	escapeOctets = "\r\n\t\x00\\"
)

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hexValue(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
