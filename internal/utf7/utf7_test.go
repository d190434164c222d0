package utf7

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestModifiedUTF7_RFC3501_5_1_3 uses the example of RFC 3501 section
// 5.1.3 and the rules it states.
func TestModifiedUTF7_RFC3501_5_1_3(t *testing.T) {
	tests := []struct{ utf8, utf7 string }{
		{"~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
		{"INBOX", "INBOX"},
		{"Tom & Jerry", "Tom &- Jerry"},
		{"Entwürfe", "Entw&APw-rfe"},
		{"☺", "&Jjo-"},
		{"𝄞 clef", "&2DTdHg- clef"}, // a surrogate pair
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.utf7, Encode(tt.utf8), tt.utf8)
		got, err := Decode(tt.utf7)
		require.NoError(t, err, tt.utf7)
		assert.Equal(t, tt.utf8, got)
	}
}

// TestDecodeRejects_RFC3501_5_1_3 checks the forms the section forbids.
func TestDecodeRejects_RFC3501_5_1_3(t *testing.T) {
	for _, bad := range []string{
		"&U,BTFw",     // unterminated shift
		"&AGE-",       // "a" encoded although printable
		"caf\xc3\xa9", // raw 8-bit
		"&2DQ-",       // lone high surrogate
		"&U,B-",       // odd number of bytes
		"a\x01b",      // control character
	} {
		_, err := Decode(bad)
		assert.ErrorIs(t, err, ErrInvalid, "%q", bad)
	}
}

func FuzzModifiedUTF7(f *testing.F) {
	for _, s := range []string{"~peter/mail/&U,BTFw-/&ZeVnLIqe-", "Tom &- Jerry", "&2DTdHg-", "台北", "a&b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if dec, err := Decode(s); err == nil {
			again, err := Decode(Encode(dec))
			require.NoError(t, err)
			assert.Equal(t, dec, again)
		}
		if utf8.ValidString(s) {
			dec, err := Decode(Encode(s))
			require.NoError(t, err)
			assert.Equal(t, s, dec)
		}
	})
}
