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
