package imap

import (
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// RFC 3501 section 6.4.4: string keys match substrings case-insensitively.
func TestFoldIn_RFC3501_6_4_4(t *testing.T) {
	for _, tc := range []struct {
		text, needle string
		want         bool
	}{
		{"Quarterly Report", "quarterly", true},
		{"QUARTERLY", "quarterly", true},
		{"the quarterly", "QuArTeRlY", true},
		{"quarterl", "quarterly", false},
		{"", "", true},
		{"abc", "", true},
		{"", "a", false},
		{"KkKkumquat", "kumquat", true},  // first byte in both cases before the match
		{"kKkKkumquaT", "KUMQUAT", true}, // match at the end
		{"kumqua", "kumquat", false},
		{"1234-5678", "4-5", true}, // first byte not a letter
		{"[x]", "[X]", true},
		{"@", "`", false}, // neighbours of the letter ranges are not letters
		{"straße", "STRAßE", true},
		{"STRASSE", "straße", false}, // full folds are not matched
		{"Müller", "MÜLLER", true},
		{"ΣΊΣΥΦΟΣ", "σίσυφος", true},
		{"ΣΊΣΥΦΟΣ", "ΣΊΣΥΦΟς", true}, // final sigma folds with sigma
		{"Ⅻ o'clock", "ⅻ", true},
		{"xÿ", "Ÿ", true},
		{"ab\xffcd", "\xffC", true}, // bytes that are not UTF-8 match themselves
		{"ab\xfecd", "\xffC", false},
		{"ab\uFFFDcd", "\xffc", false},
		{"日本語のテキスト", "テキスト", true},
		{"日本語", "日本語テ", false},
	} {
		n := newFoldNeedle(tc.needle)
		assert.Equal(t, tc.want, foldIn(tc.text, n), "%q in %q", tc.needle, tc.text)
		assert.Equal(t, tc.want, foldIn([]byte(tc.text), n), "%q in %q as bytes", tc.needle, tc.text)
	}
}

// A match that straddles two chunks of decoded text is found, and
// readers that return a byte at a time or an error are handled.
func TestSearchScratchScan(t *testing.T) {
	long := strings.Repeat("x", textChunk-3) + "KUMQUAT" + strings.Repeat("y", textChunk)
	var s searchScratch
	for _, tc := range []struct {
		name, text, needle string
		want               bool
	}{
		{"straddles", long, "kumquat", true},
		{"absent", long, "kumquats", false},
		{"non-ASCII straddles", strings.Repeat("x", textChunk-2) + "MÜLLER", "müller", true},
		{"needle longer than a chunk", strings.Repeat("ab", textChunk) + "c", strings.Repeat("AB", textChunk/2+1) + "C", true},
		{"empty text", "", "a", false},
	} {
		found, err := s.scan(strings.NewReader(tc.text), newFoldNeedle(tc.needle))
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, found, tc.name)
		found, err = s.scan(iotest.OneByteReader(strings.NewReader(tc.text)), newFoldNeedle(tc.needle))
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, found, tc.name+" one byte at a time")
	}
	_, err := s.scan(iotest.ErrReader(iotest.ErrTimeout), newFoldNeedle("a"))
	assert.ErrorIs(t, err, iotest.ErrTimeout)
}
