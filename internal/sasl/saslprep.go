package sasl

import (
	"errors"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"
)

// This file is SASLprep (RFC 4013), the Normalize() of SCRAM passwords
// (RFC 5802 section 2.2), for query strings: unassigned code points are
// allowed. The tables are those of stringprep (RFC 3454) that RFC 4013
// section 2 names; NFKC and the bidirectional classes come from
// golang.org/x/text, at its Unicode version rather than 3.2.

// errSASLprep is a string that SASLprep prohibits.
var errSASLprep = errors.New("sasl: string prohibited by SASLprep (RFC 4013)")

// scramPassword is the password as SCRAM hashes it: SASLprep'd, or as
// given when SASLprep refuses it (a password with a control character),
// as other implementations do, so that such a password still works
// between two ends that both use this package.
func scramPassword(p string) string {
	if s, err := saslPrep(p); err == nil {
		return s
	}
	return p
}

// saslPrep applies RFC 4013 section 2: map, normalize (NFKC), prohibit,
// check bidi. ASCII without controls is returned as it is.
func saslPrep(s string) (string, error) {
	if isPlainASCII(s) {
		return s, nil
	}
	if !utf8.ValidString(s) {
		return "", errSASLprep
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case mappedToNothing(r):
		case nonASCIISpace(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	out := norm.NFKC.String(b.String())
	for _, r := range out {
		if prohibited(r) {
			return "", errSASLprep
		}
	}
	if !bidiOK(out) {
		return "", errSASLprep
	}
	return out, nil
}

// isPlainASCII reports printable ASCII and space, which SASLprep leaves
// as it is.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// mappedToNothing is RFC 3454 table B.1 (RFC 4013 section 2.1).
func mappedToNothing(r rune) bool {
	switch r {
	case 0x00AD, 0x034F, 0x1806, 0x180B, 0x180C, 0x180D, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF:
		return true
	}
	return r >= 0xFE00 && r <= 0xFE0F
}

// nonASCIISpace is RFC 3454 table C.1.2, mapped to SPACE (RFC 4013
// section 2.1).
func nonASCIISpace(r rune) bool {
	switch r {
	case 0x00A0, 0x1680, 0x202F, 0x205F, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200B
}

// runeRange is an inclusive range of code points.
type runeRange struct{ lo, hi rune }

// prohibitedRanges are RFC 3454 tables C.1.2 to C.9 (RFC 4013 section
// 2.3), besides the noncharacters, which prohibited tests by arithmetic.
var prohibitedRanges = []runeRange{
	{0x0000, 0x001F}, {0x007F, 0x009F}, // C.2.1, C.2.2
	{0x00A0, 0x00A0}, {0x1680, 0x1680}, {0x2000, 0x200B}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, // C.1.2
	{0x0340, 0x0341},                                                       // C.8
	{0x06DD, 0x06DD}, {0x070F, 0x070F}, {0x180E, 0x180E}, {0x200C, 0x200F}, // C.2.2, C.8
	{0x2028, 0x202E}, {0x2060, 0x2063}, {0x206A, 0x206F}, // C.2.2, C.8
	{0x2FF0, 0x2FFB},     // C.7
	{0xD800, 0xDFFF},     // C.5
	{0xE000, 0xF8FF},     // C.3
	{0xFDD0, 0xFDEF},     // C.4
	{0xFEFF, 0xFEFF},     // C.2.2
	{0xFFF9, 0xFFFD},     // C.2.2, C.6
	{0x1D173, 0x1D17A},   // C.2.2
	{0xE0001, 0xE0001},   // C.9
	{0xE0020, 0xE007F},   // C.9
	{0xF0000, 0xFFFFD},   // C.3
	{0x100000, 0x10FFFD}, // C.3
}

// prohibited reports a code point SASLprep forbids in its output.
func prohibited(r rune) bool {
	if r&0xFFFE == 0xFFFE { // C.4: U+nFFFE and U+nFFFF
		return true
	}
	for _, rr := range prohibitedRanges {
		if r >= rr.lo && r <= rr.hi {
			return true
		}
	}
	return false
}

// bidiOK is RFC 3454 section 6 (RFC 4013 section 2.5): a string with a
// right-to-left character has no left-to-right one, and starts and ends
// with right-to-left characters.
func bidiOK(s string) bool {
	hasRAL, hasL := false, false
	for _, r := range s {
		switch class(r) {
		case bidi.R, bidi.AL:
			hasRAL = true
		case bidi.L:
			hasL = true
		}
	}
	if !hasRAL {
		return true
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	isRAL := func(r rune) bool { c := class(r); return c == bidi.R || c == bidi.AL }
	return !hasL && isRAL(first) && isRAL(last)
}

func class(r rune) bidi.Class {
	p, _ := bidi.LookupRune(r)
	return p.Class()
}
