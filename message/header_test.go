package message

import (
	"bufio"
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readHeaderString(t *testing.T, s string) Header {
	t.Helper()
	h, err := ReadHeader(bufio.NewReader(strings.NewReader(s)))
	require.NoError(t, err)
	return h
}

func TestReadHeader_RFC5322_2_2(t *testing.T) {
	tests := []struct {
		name string
		in   string
		key  string
		want string
	}{
		{"simple", "Subject: Saying Hello\r\n\r\n", "subject", "Saying Hello"},
		{"2.2.3 unfolding", "Subject: This\r\n is a test\r\n\r\n", "Subject", "This is a test"},
		{"2.2.3 unfolding tab", "Subject: This\r\n\tis a test\r\n\r\n", "Subject", "This\tis a test"},
		{"4.5 obs white space before colon", "Subject  : Saying Hello\r\n\r\n", "Subject", "Saying Hello"},
		{"4.2 all-blank fold line", "To    : Mary Smith\r\n  \r\n          <mary@example.net>\r\n\r\n", "To", "Mary Smith            <mary@example.net>"},
		{"LF line ends", "Subject: a\n b\n\n", "Subject", "a b"},
		{"no space after colon", "Subject:x\r\n\r\n", "subject", "x"},
		{"empty value", "Subject:\r\n\r\n", "subject", ""},
		{"6532 UTF-8", "Subject: 안녕하세요\r\n\r\n", "Subject", "안녕하세요"},
		{"8-bit bytes kept", "Subject: \xbe\xc8\xb3\xe7\r\n\r\n", "Subject", "\xbe\xc8\xb3\xe7"},
		{"no body", "Subject: x", "Subject", "x"},
		{"first wins", "X: 1\r\nx: 2\r\n\r\n", "X", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := readHeaderString(t, tt.in)
			assert.Equal(t, tt.want, h.Get(tt.key))
			var buf bytes.Buffer
			_, err := h.WriteTo(&buf)
			require.NoError(t, err)
			assert.Equal(t, tt.in, buf.String(), "round trip")
		})
	}
}

func TestReadHeader_Malformed(t *testing.T) {
	in := "From sender@example.org Mon Jan  1 00:00:00 2024\r\nSubject: x\r\nno colon here\r\n continued\r\n\r\n"
	h := readHeaderString(t, in)
	require.Equal(t, 3, h.Len())
	assert.Equal(t, "", h.At(0).Key)
	assert.Equal(t, "Subject", h.At(1).Key)
	assert.Equal(t, "", h.At(2).Key)
	assert.Equal(t, "x", h.Get("subject"))
	var buf bytes.Buffer
	_, err := h.WriteTo(&buf)
	require.NoError(t, err)
	assert.Equal(t, in, buf.String())
}

func TestReadHeader_Limits(t *testing.T) {
	p := headerParser{}
	big := "X: " + strings.Repeat("a", 100) + "\r\n"
	lr := lineReader{br: bufio.NewReader(strings.NewReader(strings.Repeat(big, 20) + "\r\n"))}
	_, _, err := p.read(&lr, Limits{MaxHeaderBytes: 1000}.withDefaults(), false, nil)
	require.ErrorIs(t, err, ErrLimit)
	var le *LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "MaxHeaderBytes", le.Limit)

	lr = lineReader{br: bufio.NewReader(strings.NewReader(strings.Repeat("X: 1\r\n", 20) + "\r\n"))}
	_, _, err = p.read(&lr, Limits{MaxHeaderFields: 10}.withDefaults(), false, nil)
	require.ErrorIs(t, err, ErrLimit)

	// A field longer than the reader's buffer is read whole.
	long := "X: " + strings.Repeat("b", 10000) + "\r\n\r\n"
	h := readHeaderString(t, long)
	assert.Len(t, h.Get("x"), 10000)
}

func TestHeader_SetAddDel(t *testing.T) {
	h := readHeaderString(t, "A: 1\r\nB: 2\r\nA: 3\r\n\r\n")
	h.Set("a", "x")
	assert.Equal(t, []string{"x"}, h.Values("A"))
	h.Add("C", "evil\r\nBcc: victim@example.org")
	assert.Equal(t, "evil Bcc: victim@example.org", h.Get("c"))
	assert.False(t, h.Has("bcc"))
	h.Del("b")
	assert.False(t, h.Has("B"))
	var buf bytes.Buffer
	_, err := h.WriteTo(&buf)
	require.NoError(t, err)
	assert.Equal(t, "A: x\r\nC: evil Bcc: victim@example.org\r\n\r\n", buf.String())
}

func TestHeader_Folding_RFC5322_2_1_1(t *testing.T) {
	var h Header
	h.Add("Subject", strings.Repeat("word ", 40))
	var buf bytes.Buffer
	_, err := h.WriteTo(&buf)
	require.NoError(t, err)
	for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\r\n\r\n"), "\r\n") {
		assert.LessOrEqual(t, len(line), 78, line)
	}
	h2 := readHeaderString(t, buf.String())
	assert.Equal(t, strings.TrimSpace(strings.Repeat("word ", 40)), h2.Get("subject"))
}

func TestHeader_NewFieldsFollowLF(t *testing.T) {
	h := readHeaderString(t, "A: 1\n\n")
	h.Add("B", "2")
	var buf bytes.Buffer
	_, err := h.WriteTo(&buf)
	require.NoError(t, err)
	assert.Equal(t, "A: 1\nB: 2\n\n", buf.String())
}
