package message

import (
	"bytes"
	"io"
	"mime/quotedprintable"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decodeQPString(t testing.TB, s string, oneByte bool) string {
	var q qpReader
	var r io.Reader = strings.NewReader(s)
	if oneByte {
		r = iotest.OneByteReader(r)
	}
	q.reset(r)
	b, err := io.ReadAll(&q)
	require.NoError(t, err)
	return string(b)
}

func TestQPReader_RFC2045_6_7(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"(1) escapes", "caf=C3=A9 =3D", "café ="},
		{"(1) lower-case hex", "caf=c3=a9", "café"},
		{"(2) literal", "plain text", "plain text"},
		{"(3) trailing white space", "a  \t\r\nb \nc  ", "a\r\nb\nc"},
		{"(3) inner white space", "a  b\tc", "a  b\tc"},
		{"(5) soft line break", "long=\r\nline=\nend", "longlineend"},
		{"soft break with white space", "a=  \r\nb", "ab"},
		{"note 1 bad escape", "a=ZZb=\x00", "a=ZZb=\x00"},
		{"= at end", "a=", "a"},
		{"=X at end", "a=4", "a=4"},
		{"bare CR kept", "a\rb", "a\rb"},
		{"CRLF kept", "a\r\nb\r\n", "a\r\nb\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, decodeQPString(t, tt.in, false))
			assert.Equal(t, tt.want, decodeQPString(t, tt.in, true), "one byte at a time")
		})
	}
	long := strings.Repeat(" ", 3*decodeBufSize) + "x"
	assert.Equal(t, long, decodeQPString(t, long, false))
}

// FuzzDecodeQP checks the quoted-printable decoder against the standard
// library's wherever the latter accepts the input, and that the way the
// input is split does not matter.
func FuzzDecodeQP(f *testing.F) {
	f.Add("caf=C3=A9 =\r\nsoft  \r\nend")
	f.Add("a=  \nb\t\n")
	f.Fuzz(func(t *testing.T, s string) {
		got := decodeQPString(t, s, false)
		if one := decodeQPString(t, s, true); one != got {
			t.Fatalf("%q: %q whole, %q byte by byte", s, got, one)
		}
		want, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(s)))
		if err == nil && !bytes.Equal(want, []byte(got)) && !strings.ContainsAny(s, "\r") {
			t.Fatalf("%q: %q, standard library %q", s, got, want)
		}
	})
}
