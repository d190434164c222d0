package smtp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEchoName_RFC5321_4_2_and_4_5_3_1_5: the EHLO reply echoes the
// client's name as printable ASCII (RFC 5321 4.2 textstring), each other
// octet as "?", and cuts it so that the reply line fits in 512 octets.
func TestEchoName_RFC5321_4_2_and_4_5_3_1_5(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		room     int
		want     string
	}{
		{"ascii", "client.test", 20, "client.test"},
		{"at the room", "abcd", 4, "abcd"},
		{"one past the room", "abcde", 4, "abcd"},
		{"no room", "abc", -3, ""},
		{"non-ASCII", "h\x81\xc3\xa9st", 20, "h???st"},
		{"controls", "a\tb\x7f", 20, "a?b?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, echoName(tc.in, tc.room))
		})
	}
	// A 600-octet name makes a first EHLO reply line of 512 octets.
	first := "mx.test Hello "
	room := 512 - len("250-") - len(first) - len("\r\n")
	require.Len(t, "250-"+first+echoName(strings.Repeat("a", 600), room)+"\r\n", 512)
}
