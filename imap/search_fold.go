package imap

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// RFC 3501 section 6.4.4 has the string keys of SEARCH (BODY, TEXT,
// HEADER and the address and SUBJECT keys) match substrings "case-
// insensitively". This file finds a needle in text that way without
// lower-casing a copy of the text: a search over a mailbox reads every
// message's text once, and copying it doubled the work.
//
// An ASCII needle matches ASCII letters of either case, byte for byte, so
// a match is exactly as long as the needle. A needle with other
// characters matches rune by rune under Unicode simple case folding
// (unicode.SimpleFold), so "straße" finds "STRAßE" and "Ⅻ" finds "ⅻ".
// Folds that change the number of characters (ß and "SS") are not
// matched, as most servers do not match them either.

// text is what a needle is looked for in: decoded body text and raw
// header bytes are []byte, decoded header values are strings.
type text interface{ string | []byte }

// foldNeedle is a search string prepared for case-insensitive matching.
type foldNeedle struct {
	s     string
	ascii bool
}

func newFoldNeedle(s string) foldNeedle {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	return foldNeedle{s: s, ascii: ascii}
}

// maxLen is the most bytes a match can span: a rune's fold may take up
// to utf8.UTFMax bytes whatever the needle's rune takes ("k" and the
// Kelvin sign).
func (n foldNeedle) maxLen() int {
	if n.ascii {
		return len(n.s)
	}
	return utf8.UTFMax * utf8.RuneCountInString(n.s)
}

// hasSpace reports whether the needle holds white space or line ends,
// which header unfolding (RFC 5322 section 2.2.3) removes or joins.
func (n foldNeedle) hasSpace() bool { return strings.ContainsAny(n.s, " \t\r\n") }

// hasLineEnd reports whether the needle holds a line end, so a match in a
// whole header section could straddle two fields.
func (n foldNeedle) hasLineEnd() bool { return strings.ContainsAny(n.s, "\r\n") }

// in reports whether h contains the needle, ignoring case.
func foldIn[T text](h T, n foldNeedle) bool {
	if n.ascii {
		return asciiFoldIn(h, n.s)
	}
	return unicodeFoldIn(h, n.s)
}

// asciiFoldIn finds the needle's first byte in either case with the
// vectorised IndexByte, keeping the next position of each case so no byte
// of h is scanned twice for it, and compares the rest at each candidate.
func asciiFoldIn[T text](h T, n string) bool {
	if len(n) == 0 {
		return true
	}
	end := len(h) - len(n) + 1 // candidates start before end
	if end <= 0 {
		return false
	}
	lo, up := asciiLower(n[0]), asciiUpper(n[0])
	nextLo, nextUp := -1, -1
	if lo == up {
		nextUp = end
	}
	for i := 0; i < end; {
		if nextLo < i {
			nextLo = nextByte(h[:end], i, lo)
		}
		if nextUp < i {
			nextUp = nextByte(h[:end], i, up)
		}
		j := min(nextLo, nextUp)
		if j >= end {
			return false
		}
		if asciiEqualFold(h[j+1:j+len(n)], n[1:]) {
			return true
		}
		i = j + 1
	}
	return false
}

// nextByte returns the position of the first c in h at or after i, or
// len(h).
func nextByte[T text](h T, i int, c byte) int {
	var k int
	switch v := any(h[i:]).(type) {
	case string:
		k = strings.IndexByte(v, c)
	case []byte:
		k = bytes.IndexByte(v, c)
	}
	if k < 0 {
		return len(h)
	}
	return i + k
}

// asciiEqualFold compares a window of h with the rest of an ASCII needle
// of the same length.
func asciiEqualFold[T text](w T, n string) bool {
	for i := 0; i < len(n); i++ {
		if w[i] != n[i] && asciiLower(w[i]) != asciiLower(n[i]) {
			return false
		}
	}
	return true
}

func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func asciiUpper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// unicodeFoldIn tries the needle at every rune of h.
func unicodeFoldIn[T text](h T, n string) bool {
	for i := 0; i < len(h); {
		if hasPrefixFold(h[i:], n) {
			return true
		}
		_, size := decodeRune(h[i:])
		i += size
	}
	return false
}

// hasPrefixFold reports whether h starts with n under simple folding.
// Bytes that are not UTF-8 match only the same bytes.
func hasPrefixFold[T text](h T, n string) bool {
	for len(n) > 0 {
		if len(h) == 0 {
			return false
		}
		hr, hs := decodeRune(h)
		nr, ns := utf8.DecodeRuneInString(n)
		if hr == utf8.RuneError && hs == 1 || nr == utf8.RuneError && ns == 1 {
			if hs != ns || h[0] != n[0] {
				return false
			}
		} else if !equalFoldRune(hr, nr) {
			return false
		}
		h, n = h[hs:], n[ns:]
	}
	return true
}

// equalFoldRune reports whether a and b are in one simple fold orbit
// (Unicode's CaseFolding.txt, status C and S).
func equalFoldRune(a, b rune) bool {
	if a == b {
		return true
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

func decodeRune[T text](h T) (rune, int) {
	switch v := any(h).(type) {
	case string:
		return utf8.DecodeRuneInString(v)
	case []byte:
		return utf8.DecodeRune(v)
	}
	return utf8.RuneError, 1
}
