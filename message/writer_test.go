package message

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChooseEncoding_RFC2045_6(t *testing.T) {
	tests := []struct {
		mt       string
		body     string
		complete bool
		want     string
	}{
		{"text/plain", "hello\r\n", true, "7bit"},
		{"text/plain", "hello\r\n", false, "quoted-printable"},
		{"text/plain", strings.Repeat("x", 999), true, "quoted-printable"},
		{"text/plain", "café au lait", true, "quoted-printable"},
		{"text/plain", "안녕하세요 여러분", true, "base64"},
		{"text/plain", "nul\x00byte", true, "base64"},
		{"image/png", "\x89PNG", true, "base64"},
		{"message/rfc822", "Subject: x\r\n\r\nhi", true, "7bit"},
		{"message/rfc822", "Subject: é\r\n\r\nhi", true, "8bit"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, chooseEncoding(tt.mt, []byte(tt.body), tt.complete), "%s %q", tt.mt, tt.body)
	}
}

// roundTripBody writes body as a part with the given header and reads it
// back decoded.
func roundTripBody(t *testing.T, h Header, body string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw, err := NewWriter(&buf, h)
	require.NoError(t, err)
	_, err = io.WriteString(mw, body)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		assert.LessOrEqual(t, len(line), 1000)
	}
	r := NewReader(&buf)
	p, err := r.NextPart()
	require.NoError(t, err)
	tr, err := p.Text()
	require.NoError(t, err)
	got, err := io.ReadAll(tr)
	require.NoError(t, err)
	return string(got), p.Encoding
}

func TestWriter_TransferEncodings(t *testing.T) {
	bodies := []string{
		"plain ASCII\r\nsecond line\r\n",
		"trailing space \r\ntab\t\r\n",
		"café = crème\r\n" + strings.Repeat("long line ", 100) + "\r\n",
		"한국어 본문입니다\r\n日本語\r\n",
		strings.Repeat("é", 5000),
		"ends with space ",
		"bare\rCR",
	}
	for _, body := range bodies {
		for _, cte := range []string{"", "quoted-printable", "base64"} {
			var h Header
			h.SetContentType("text/plain", Params{{"charset", "utf-8"}})
			if cte != "" {
				h.Set("Content-Transfer-Encoding", cte)
			}
			got, enc := roundTripBody(t, h, body)
			assert.Equal(t, body, got, "cte %q chosen %q", cte, enc)
		}
	}
	// Bare LF in 7bit text becomes CRLF.
	var h Header
	got, enc := roundTripBody(t, h, "a\nb\n")
	assert.Equal(t, "7bit", enc)
	assert.Equal(t, "a\r\nb\r\n", got)
}

func TestWriter_AddsRequiredFields_RFC5322_3_6(t *testing.T) {
	var h Header
	h.SetAddressList("From", []*Address{{"홍길동", "gildong@example.kr"}})
	var buf bytes.Buffer
	mw, err := NewWriter(&buf, h)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	r := NewReader(&buf)
	p, err := r.NextPart()
	require.NoError(t, err)
	_, err = p.Header.Date()
	assert.NoError(t, err)
	assert.Contains(t, p.Header.Get("Message-ID"), "@example.kr>")
	assert.Equal(t, "1.0", p.Header.Get("MIME-Version"))
	from, err := p.Header.AddressList("From")
	require.NoError(t, err)
	assert.Equal(t, "홍길동", from[0].Name)
}

func TestWriter_LineLimit_RFC2045_2_8(t *testing.T) {
	var h Header
	h.SetContentType("text/plain", nil)
	h.Set("Content-Transfer-Encoding", "8bit")
	mw, err := NewWriter(io.Discard, h)
	require.NoError(t, err)
	_, err = io.WriteString(mw, strings.Repeat("x", 998)+"\r\n")
	require.NoError(t, err)
	_, err = io.WriteString(mw, strings.Repeat("x", 999))
	assert.ErrorIs(t, err, ErrLineTooLong)

	h.Set("Content-Transfer-Encoding", "binary")
	mw, err = NewWriter(io.Discard, h)
	require.NoError(t, err)
	_, err = io.WriteString(mw, strings.Repeat("x", 5000))
	assert.NoError(t, err)
}
