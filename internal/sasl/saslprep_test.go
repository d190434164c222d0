package sasl

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSASLprep_RFC4013_3 checks the examples of RFC 4013 section 3 and
// the rules of section 2.
func TestSASLprep_RFC4013_3(t *testing.T) {
	for _, tc := range []struct {
		in, out string
		ok      bool
	}{
		{"I\u00ADX", "IX", true},     // SOFT HYPHEN mapped to nothing
		{"user", "user", true},       // no transformation
		{"USER", "USER", true},       // case preserved
		{"\u00AA", "a", true},        // NFKC
		{"\u2168", "IX", true},       // NFKC
		{"\u0007", "", false},        // prohibited character
		{"\u0627\u0031", "", false},  // bidi: RandALCat not last
		{"a\u00A0b", "a b", true},    // non-ASCII space mapped to space
		{"\u00BD", "1\u20442", true}, // the NFKC case of RFC 5802 section 3
		{"\u0627\u0628", "\u0627\u0628", true},
		{"\u0627a\u0628", "", false}, // RandALCat with LCat
		{"a\uE000", "", false},       // private use
		{"a\uFFFF", "", false},       // noncharacter
		{"a\U000E0001", "", false},   // tagging character
		{"\xff", "", false},
	} {
		got, err := saslPrep(tc.in)
		if !tc.ok {
			require.Error(t, err, "%q", tc.in)
			continue
		}
		require.NoError(t, err, "%q", tc.in)
		require.Equal(t, tc.out, got, "%q", tc.in)
	}
	require.Equal(t, "tab\there", scramPassword("tab\there"), "a refused password is hashed as given")
	require.Equal(t, "IX", scramPassword("I\u00ADX"))
}

// TestScram_SASLprepPassword: a password and its SASLprep form give the
// same verifiers (RFC 5802 section 2.2, Normalize).
func TestScram_SASLprepPassword(t *testing.T) {
	salt := []byte("salt")
	a, err := NewScramCredentials(ScramSHA256, "I\u00ADX", salt, 4096)
	require.NoError(t, err)
	b, err := NewScramCredentials(ScramSHA256, "\u2168", salt, 4096)
	require.NoError(t, err)
	c, err := NewScramCredentials(ScramSHA256, "IX", salt, 4096)
	require.NoError(t, err)
	require.Equal(t, a, c)
	require.Equal(t, b, c)
}
