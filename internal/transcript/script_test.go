package transcript

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUnescape covers every escape, and what is not one.
func TestUnescape(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, "plain"},
		{`a\r\nb`, "a\r\nb"},
		{`\t\0\\`, "\t\x00\\"},
		{`\x41\xff\x0a`, "A\xff\n"},
		{`\xZZ \x4`, `\xZZ \x4`},                   // not two hex digits
		{`\Seen \Deleted \*`, `\Seen \Deleted \*`}, // IMAP flags stay
		{`end\`, `end\`},
		{`\\r`, `\r`}, // an escaped backslash, then r
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Unescape(tt.in), tt.in)
	}
}

// TestParse reads each kind of line into options and steps.
func TestParse(t *testing.T) {
	sc, err := Parse("x.txt", []byte("# comment\n\n@ tls\n@ MaxErrors 3\n@ msg a b\\r\\n\n"+
		"S: hi\nC:\nC2+ raw\nS3~ \\d+\n= count INBOX 2\nC: <closed>\r\n"))
	require.NoError(t, err)
	assert.Equal(t, []Option{{3, "tls", ""}, {4, "MaxErrors", "3"}, {5, "msg", "a b\r\n"}}, sc.Options)
	assert.Equal(t, []Step{
		{Line: 6, Side: 'S', Conn: 1, Form: FormLine, Text: "hi"},
		{Line: 7, Side: 'C', Conn: 1, Form: FormLine, Text: ""},
		{Line: 8, Side: 'C', Conn: 2, Form: FormRaw, Text: "raw"},
		{Line: 9, Side: 'S', Conn: 3, Form: FormPattern, Text: `\d+`},
		{Line: 10, Side: FormCheck, Conn: 1, Form: FormCheck, Text: "count INBOX 2"},
		{Line: 11, Side: 'C', Conn: 1, Form: FormLine, Text: Closed},
	}, sc.Steps)
}

// TestParseErrors: a file that cannot be read is refused with its line.
func TestParseErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"C: a\nX: b\n", `x.txt:2: cannot read "X: b"`},
		{"C\n", `x.txt:1: cannot read "C"`},
		{"C0: a\n", `x.txt:1: cannot read "C0: a"`},
		{"S: a\n@ tls\n", "x.txt:2: options come before the first exchange line"},
		{"@\n", `x.txt:1: cannot read "@"`},
		{"@tls\n", `x.txt:1: cannot read "@tls"`},
		{"C+\n", "x.txt:1: C+ line without text"},
		{"S: <starttls>\n", "x.txt:1: <starttls> on a server line"},
		{"C: a ${b\n", `x.txt:1: "a ${b": ${ without }`},
		{"C: ${}\n", `x.txt:1: "${}": empty placeholder`},
		{"S~ [\n", "x.txt:1: S~ bad pattern"},
	}
	for _, tt := range tests {
		_, err := Parse("x.txt", []byte(tt.text))
		require.Error(t, err, tt.text)
		assert.Contains(t, err.Error(), tt.want)
	}
}

// TestSent: what a side sends on one connection, for fuzz seeds.
func TestSent(t *testing.T) {
	sc, err := Parse("x.txt", []byte("S: hi\nC: A\\tB\nC+ raw\nC2: other\nS~ .*\nC: <starttls>\nC:\nC: <closed>\n"))
	require.NoError(t, err)
	assert.Equal(t, "A\tB\r\nraw\r\n", string(sc.Sent('C', 1)))
	assert.Equal(t, "other\r\n", string(sc.Sent('C', 2)))
	assert.Equal(t, "hi\r\n", string(sc.Sent('S', 1)))
}

// TestOptionBits: names, name and argument, and prefixes.
func TestOptionBits(t *testing.T) {
	sc, err := Parse("x.txt", []byte("@ tls\n@ AllowInsecureAuth false\n@ MaxErrors 3\n@ MaxLineLength 9\n"))
	require.NoError(t, err)
	tests := []struct {
		bits map[string]byte
		want byte
	}{
		{map[string]byte{"tls": 1}, 1},
		{map[string]byte{"AllowInsecureAuth false": 2, "AllowInsecureAuth true": 4}, 2},
		{map[string]byte{"AllowInsecureAuth": 2}, 2},
		{map[string]byte{"Max*": 8, "MaxDepth": 16}, 8},
		{map[string]byte{"lmtp": 32}, 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, sc.OptionBits(tt.bits), "%v", tt.bits)
	}
}
