package pop3

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseResponse_RFC2449_8(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want *Response
	}{
		{"+OK", &Response{OK: true}},
		{"+OK 2 320", &Response{OK: true, Text: "2 320"}},
		{"-ERR", &Response{}},
		{"-ERR [IN-USE] locked", &Response{Code: CodeInUse, Text: "locked"}},
		{"-ERR [SYS/TEMP] try later", &Response{Code: CodeSysTemp, Text: "try later"}},
		{"-ERR [AUTH]", &Response{Code: CodeAuth}},
		{"+OK [UTF8] fine", &Response{OK: true, Code: CodeUTF8, Text: "fine"}},
		{"-ERR [not a code] x", &Response{Text: "[not a code] x"}},
		{"-ERR [SYS//TEMP] x", &Response{Text: "[SYS//TEMP] x"}},
		{"-ERR [SYS/TEMP]x", &Response{Text: "[SYS/TEMP]x"}},
		{"-ERR []", &Response{Text: "[]"}},
	} {
		got, err := ParseResponse([]byte(tc.in))
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
		require.Equal(t, tc.in, got.Error(), tc.in)
	}
	for _, bad := range []string{"", "OK", "+ok", "-err x", "+OKAY", "-ERRx", "* OK"} {
		_, err := ParseResponse([]byte(bad))
		require.ErrorIs(t, err, ErrMalformedResponse, bad)
	}
}

func TestResponse_NoInjection(t *testing.T) {
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	require.NoError(t, ErrResponse(CodeSysPerm, "a\r\n+OK b").writeTo(w))
	w.Flush()
	require.Equal(t, "-ERR [SYS/PERM] a  +OK b\r\n", b.String())
}

func TestResponse_Temporary_RFC3206(t *testing.T) {
	require.True(t, ErrResponse(CodeInUse, "").Temporary())
	require.True(t, ErrResponse(CodeLoginDelay, "").Temporary())
	require.True(t, ErrResponse(CodeSysTemp, "").Temporary())
	require.False(t, ErrResponse(CodeSysPerm, "").Temporary())
	require.False(t, ErrResponse(CodeAuth, "").Temporary())
}

func FuzzParseResponse(f *testing.F) {
	for _, s := range []string{"+OK", "-ERR [IN-USE] x", "+OK [a/b/c]", "-ERR [", "+OK 2 320"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := ParseResponse(line)
		if err != nil {
			return
		}
		// What parses formats to a line that parses the same.
		if bytes.ContainsAny(line, "\r\n") {
			return
		}
		again, err := ParseResponse([]byte(r.Error()))
		require.NoError(t, err)
		require.Equal(t, r, again)
	})
}
