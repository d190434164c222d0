package debugtrace

import (
	"bytes"
	"testing"
)

func TestLineAndOctets(t *testing.T) {
	var b bytes.Buffer
	Line(&b, Client, "EHLO client.test")
	Line(&b, Server, "250 ok")
	Octets(&b, Client, 13)
	Octets(&b, Server, 0)
	want := "C: EHLO client.test\nS: 250 ok\nC: [13 octets]\nS: [0 octets]\n"
	if b.String() != want {
		t.Errorf("trace = %q, want %q", b.String(), want)
	}
}

func TestNilWriter(t *testing.T) {
	Line(nil, Client, "QUIT") // must not panic
	Octets(nil, Server, 1)
}

// TestRedact: the words after the kept ones become the marker; nothing
// is added to a line without more words (RFC 4954 section 4, RFC 1939
// section 7, RFC 3501 section 6.2.3).
func TestRedact(t *testing.T) {
	for _, tc := range []struct {
		line string
		keep int
		want string
	}{
		{"AUTH PLAIN AGFsaWNlAHNlY3JldA==", 2, "AUTH PLAIN ***"},
		{"AUTH PLAIN", 2, "AUTH PLAIN"},
		{"AUTH PLAIN ", 2, "AUTH PLAIN "},
		{"PASS secret word", 1, "PASS ***"},
		{"a1 LOGIN alice secret", 2, "a1 LOGIN ***"},
		{"a1  LOGIN {5}", 2, "a1  LOGIN ***"},
		{"", 1, ""},
	} {
		if got := Redact([]byte(tc.line), tc.keep); got != tc.want {
			t.Errorf("Redact(%q, %d) = %q, want %q", tc.line, tc.keep, got, tc.want)
		}
	}
}
