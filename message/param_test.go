package message

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/korean"
)

func TestParseMediaType_RFC2045_5_1(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		mt     string
		params Params
	}{
		{"simple", "text/plain; charset=us-ascii", "text/plain", Params{{"charset", "us-ascii"}}},
		{"quoted and case", `Text/PLAIN; CharSet="ISO-8859-1"`, "text/plain", Params{{"charset", "ISO-8859-1"}}},
		{"comment after type", "text/plain (plain text); charset=utf-8", "text/plain", Params{{"charset", "utf-8"}}},
		{"multipart boundary", "multipart/mixed; boundary=\"simple boundary\"", "multipart/mixed", Params{{"boundary", "simple boundary"}}},
		{"folded", "multipart/mixed;\r\n\tboundary=\"0000\"", "multipart/mixed", Params{{"boundary", "0000"}}},
		{"no params", "image/png", "image/png", nil},
		{"disposition", "attachment; filename=report.pdf", "attachment", Params{{"filename", "report.pdf"}}},
		{"quoted pair", `a/b; x="a\"b"`, "a/b", Params{{"x", `a"b`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt, params, err := ParseMediaType(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.mt, mt)
			assert.Equal(t, tt.params, params)
		})
	}
}

func TestParseMediaType_RFC2231(t *testing.T) {
	tests := []struct {
		name string
		in   string
		key  string
		want string
	}{
		{"3 continuations", "message/external-body; access-type=URL;\r\n URL*0=\"ftp://\";\r\n URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"",
			"url", "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"},
		{"4 charset and language", "application/x-stuff;\r\n title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
			"title", "This is ***fun***"},
		{"4.1 combined", "application/x-stuff;\r\n title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n title*2=\"isn't it!\"",
			"title", "This is even more ***fun*** isn't it!"},
		{"out of order", "a/b; t*1=B; t*0=A", "t", "AB"},
		{"UTF-8 filename", "attachment; filename*=UTF-8''%ED%95%9C%EA%B8%80.pdf", "filename", "한글.pdf"},
		{"EUC-KR filename", "attachment; filename*=euc-kr''" + percent(encodeWithT(korean.EUCKR, "보고서")) + ".hwp", "filename", "보고서.hwp"},
		{"extended wins over plain", "attachment; filename=\"fallback.pdf\"; filename*=utf-8''r%C3%A9sum%C3%A9.pdf", "filename", "résumé.pdf"},
		{"empty charset", "a/b; t*=''abc", "t", "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, params, err := ParseMediaType(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, params.Get(tt.key))
		})
	}
}

func TestParseMediaType_Breakage(t *testing.T) {
	tests := []struct {
		name string
		in   string
		key  string
		want string
	}{
		{"unquoted spaces", "attachment; filename=my report.pdf", "filename", "my report.pdf"},
		{"unterminated quote", `attachment; filename="report.pdf`, "filename", "report.pdf"},
		{"stray semicolons", "text/plain;; ;charset=utf-8;", "charset", "utf-8"},
		{"no value", "text/plain; flowed; charset=utf-8", "charset", "utf-8"},
		{"RFC 2047 in quotes", `attachment; filename="=?UTF-8?B?7ZWc6riALnBkZg==?="`, "filename", "한글.pdf"},
		{"duplicate first wins", "text/plain; charset=utf-8; charset=latin1", "charset", "utf-8"},
		{"spaces around equals", "text/plain; charset = \"utf-8\"", "charset", "utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, params, err := ParseMediaType(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, params.Get(tt.key))
		})
	}
	for _, in := range []string{"", "/plain", "text/", "te xt/plain"} {
		_, _, err := ParseMediaType(in)
		assert.ErrorIs(t, err, ErrInvalidMediaType, in)
	}
}

func TestFormatMediaType_RFC2231(t *testing.T) {
	tests := []struct {
		name   string
		mt     string
		params Params
		want   string
	}{
		{"token", "text/plain", Params{{"charset", "utf-8"}}, "text/plain; charset=utf-8"},
		{"quoted", "attachment", Params{{"filename", "my report.pdf"}}, `attachment; filename="my report.pdf"`},
		{"non-ASCII", "attachment", Params{{"filename", "한글.pdf"}}, "attachment; filename*=utf-8''%ED%95%9C%EA%B8%80.pdf"},
		{"long non-ASCII continues", "attachment", Params{{"filename", "아주아주아주긴한국어파일이름입니다.pdf"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FormatMediaType(tt.mt, tt.params)
			if tt.want != "" {
				assert.Equal(t, tt.want, got)
			}
			mt, params, err := ParseMediaType(got)
			require.NoError(t, err)
			assert.Equal(t, tt.mt, mt)
			assert.Equal(t, tt.params, params)
		})
	}
}

func TestParseMediaType_ManyParams(t *testing.T) {
	_, params, err := ParseMediaType("a/b" + strings.Repeat("; x=1", 100000))
	require.NoError(t, err)
	assert.Len(t, params, 1)
	var b strings.Builder
	b.WriteString("a/b")
	for i := range 1000 {
		fmt.Fprintf(&b, "; p%d=%d", i, i)
	}
	_, params, err = ParseMediaType(b.String())
	require.NoError(t, err)
	assert.Len(t, params, maxParams)
}
