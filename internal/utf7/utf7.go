// Package utf7 converts mailbox names between UTF-8 and the modified UTF-7
// of RFC 3501 section 5.1.3, which IMAP4rev1 uses on the wire unless
// UTF8=ACCEPT is enabled (RFC 6855 section 3, RFC 9051 section 5.1).
package utf7

import (
	"encoding/base64"
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrInvalid reports a name that is not valid modified UTF-7.
var ErrInvalid = errors.New("utf7: invalid modified UTF-7")

// enc is modified BASE64: "," instead of "/", no padding.
var enc = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,").WithPadding(base64.NoPadding).Strict()

func printable(r rune) bool { return r >= 0x20 && r <= 0x7e }

// Encode converts a UTF-8 mailbox name to modified UTF-7: printable ASCII
// stands for itself, "&" becomes "&-", and runs of other characters become
// "&" + modified BASE64 of their UTF-16BE form + "-".
func Encode(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if !printable(rune(s[i])) || s[i] == '&' {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); {
		r, _ := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '&':
			sb.WriteString("&-")
			i++
		case printable(r):
			sb.WriteByte(byte(r))
			i++
		default:
			var units []uint16
			for i < len(s) {
				r, size := utf8.DecodeRuneInString(s[i:])
				if printable(r) {
					break
				}
				units = utf16.AppendRune(units, r)
				i += size
			}
			b := make([]byte, 0, 2*len(units))
			for _, u := range units {
				b = append(b, byte(u>>8), byte(u))
			}
			sb.WriteByte('&')
			sb.WriteString(enc.EncodeToString(b))
			sb.WriteByte('-')
		}
	}
	return sb.String()
}

// Decode converts a modified UTF-7 mailbox name to UTF-8. It rejects what
// RFC 3501 5.1.3 forbids: raw 8-bit bytes, unterminated shifts, empty
// shifts other than "&-", and printable ASCII or broken surrogates inside
// a shift.
func Decode(s string) (string, error) {
	if strings.IndexByte(s, '&') < 0 {
		for i := 0; i < len(s); i++ {
			if !printable(rune(s[i])) {
				return "", ErrInvalid
			}
		}
		return s, nil
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !printable(rune(c)) {
			return "", ErrInvalid
		}
		if c != '&' {
			sb.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i+1:], '-')
		if end < 0 {
			return "", ErrInvalid
		}
		chunk := s[i+1 : i+1+end]
		i += end + 1
		if chunk == "" {
			sb.WriteByte('&')
			continue
		}
		b, err := enc.DecodeString(chunk)
		if err != nil || len(b)%2 != 0 {
			return "", ErrInvalid
		}
		units := make([]uint16, len(b)/2)
		for j := range units {
			units[j] = uint16(b[2*j])<<8 | uint16(b[2*j+1])
		}
		for j := 0; j < len(units); j++ {
			u := units[j]
			var r rune
			switch {
			case utf16.IsSurrogate(rune(u)):
				if j+1 >= len(units) {
					return "", ErrInvalid
				}
				r = utf16.DecodeRune(rune(u), rune(units[j+1]))
				if r == utf8.RuneError {
					return "", ErrInvalid
				}
				j++
			default:
				r = rune(u)
			}
			if printable(r) {
				return "", ErrInvalid
			}
			sb.WriteRune(r)
		}
	}
	return sb.String(), nil
}
