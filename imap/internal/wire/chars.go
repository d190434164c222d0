package wire

// Character classes of RFC 3501 section 9, as bits in one table so that
// scanning a token costs one load and one test per byte.
const (
	classAtom    = 1 << iota // ATOM-CHAR
	classAString             // ASTRING-CHAR: ATOM-CHAR / resp-specials
	classList                // list-char: ATOM-CHAR / list-wildcards / resp-specials
	classTag                 // tag: ASTRING-CHAR except "+"
	classDigit               // DIGIT
	classText                // TEXT-CHAR: any CHAR except CR and LF
	classCode                // text inside a response code: TEXT-CHAR except "]"
	classQuoted              // QUOTED-CHAR without escaping: TEXT-CHAR except quoted-specials
	classSeq                 // sequence-set: DIGIT / ":" / "," / "*" / "$"
	className                // fetch-att and search-key names: ATOM-CHAR except "["
)

var classes = func() (t [256]uint16) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		var m uint16
		if b >= 0x01 && b <= 0x7f && b != '\r' && b != '\n' {
			m |= classText
			if b != ']' {
				m |= classCode
			}
			if b != '"' && b != '\\' {
				m |= classQuoted
			}
		}
		if b >= 0x80 {
			// UTF-8 in quoted strings and text (RFC 6855 section 3,
			// RFC 9051 section 9: utf8-quoted, text).
			m |= classText | classCode | classQuoted
		}
		if b > 0x20 && b < 0x7f && !isAtomSpecial(b) {
			m |= classAtom | classAString | classList | classTag
			if b != '[' {
				m |= className
			}
		}
		switch b {
		case ']':
			m |= classAString | classList | classTag
		case '%', '*':
			m |= classList
		}
		if b == '+' {
			m &^= classTag
		}
		if b >= '0' && b <= '9' {
			m |= classDigit | classSeq
		}
		switch b {
		case ':', ',', '*', '$':
			m |= classSeq
		}
		t[c] = m
	}
	return t
}()

// isAtomSpecial reports the atom-specials of RFC 3501 section 9 other than
// CTL and SP, which the caller excludes by range.
func isAtomSpecial(b byte) bool {
	switch b {
	case '(', ')', '{', '%', '*', '"', '\\', ']':
		return true
	}
	return false
}

// IsAtom reports whether s can be sent as an atom (RFC 3501 section 9).
func IsAtom(s string) bool { return isClass(s, classAtom) }

// IsAStringAtom reports whether s can be sent as the atom form of an
// astring: 1*ASTRING-CHAR.
func IsAStringAtom(s string) bool { return isClass(s, classAString) }

func isClass(s string, class uint16) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if classes[s[i]]&class == 0 {
			return false
		}
	}
	return true
}
