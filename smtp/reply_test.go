package smtp

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readReplyString(s string) (*Reply, error) {
	return readReply(bufio.NewReaderSize(strings.NewReader(s), 64), 5)
}

func TestReadReply_RFC5321_4_2_1(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want *Reply
	}{
		{"single line", "250 OK\r\n", &Reply{Code: 250, Lines: []string{"OK"}}},
		{"code only", "250\r\n", &Reply{Code: 250, Lines: []string{""}}},
		{"code and space", "354 \r\n", &Reply{Code: 354, Lines: []string{""}}},
		{"multiline (the example of 4.2.1)",
			"250-First line\r\n250-Second line\r\n250-234 Text beginning with numbers\r\n250 The last line\r\n",
			&Reply{Code: 250, Lines: []string{"First line", "Second line", "234 Text beginning with numbers", "The last line"}}},
		{"multiline with empty lines", "220-\r\n220 \r\n", &Reply{Code: 220, Lines: []string{"", ""}}},
		{"bare LF tolerated", "221 Bye\n", &Reply{Code: 221, Lines: []string{"Bye"}}},
		{"at the line limit", "250-a\r\n250-b\r\n250-c\r\n250-d\r\n250 e\r\n", &Reply{Code: 250, Lines: []string{"a", "b", "c", "d", "e"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := readReplyString(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, r)
		})
	}
}

func TestReadReply_RFC2034_EnhancedCodes(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want *Reply
	}{
		{"one line", "550 5.1.1 No such user\r\n", &Reply{Code: 550, Enhanced: EnhancedCode{5, 1, 1}, Lines: []string{"No such user"}}},
		{"repeated on every line", "452-4.5.3 Too many\r\n452 4.5.3 recipients\r\n",
			&Reply{Code: 452, Enhanced: EnhancedCode{4, 5, 3}, Lines: []string{"Too many", "recipients"}}},
		{"a different code on a later line stays text", "250-2.0.0 a\r\n250 2.1.0 b\r\n",
			&Reply{Code: 250, Enhanced: EnhancedCode{2, 0, 0}, Lines: []string{"a", "2.1.0 b"}}},
		{"code alone", "250 2.0.0\r\n", &Reply{Code: 250, Enhanced: EnhancedCode{2, 0, 0}, Lines: []string{""}}},
		{"three-digit subject and detail (RFC 3463 2)", "550 5.123.456 x\r\n", &Reply{Code: 550, Enhanced: EnhancedCode{5, 123, 456}, Lines: []string{"x"}}},
		{"four-digit detail is text", "550 5.1.1000 x\r\n", &Reply{Code: 550, Lines: []string{"5.1.1000 x"}}},
		{"class 3 is text", "354 3.0.0 go\r\n", &Reply{Code: 354, Lines: []string{"3.0.0 go"}}},
		{"two-digit class is text", "250 25.0.0 x\r\n", &Reply{Code: 250, Lines: []string{"25.0.0 x"}}},
		{"no detail is text", "250 2.0 x\r\n", &Reply{Code: 250, Lines: []string{"2.0 x"}}},
		{"glued text is text", "250 2.0.0x\r\n", &Reply{Code: 250, Lines: []string{"2.0.0x"}}},
		{"version number is text", "220 mx ESMTP 2.0.1\r\n", &Reply{Code: 220, Lines: []string{"mx ESMTP 2.0.1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := readReplyString(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, r)
		})
	}
}

func TestReadReply_RFC5321_4_2_Malformed(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     error
	}{
		{"empty line", "\r\n", ErrMalformedReply},
		{"two digits", "25\r\n", ErrMalformedReply},
		{"letters", "abc ok\r\n", ErrMalformedReply},
		{"no separator", "250OK\r\n", ErrMalformedReply},
		{"1yz is not an SMTP reply", "150 go\r\n", ErrMalformedReply},
		{"6yz", "600 x\r\n", ErrMalformedReply},
		{"codes differ", "250-a\r\n251 b\r\n", ErrMalformedReply},
		{"too many lines", "250-a\r\n250-b\r\n250-c\r\n250-d\r\n250-e\r\n250 f\r\n", ErrMalformedReply},
		{"line over the buffer", "250 " + strings.Repeat("x", 100) + "\r\n", ErrMalformedReply},
		{"EOF inside a line", "250 O", io.ErrUnexpectedEOF},
		{"EOF between lines", "250-a\r\n", io.EOF},
		{"nothing", "", io.EOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readReplyString(tc.in)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestReplyWriteTo_RFC5321_4_2_1(t *testing.T) {
	for _, tc := range []struct {
		name     string
		r        *Reply
		enhanced bool
		want     string
	}{
		{"one line", NewReply(250, NoEnhancedCode, "OK"), true, "250 OK\r\n"},
		{"multiline", NewReply(250, NoEnhancedCode, "mx.test\nPIPELINING\nSIZE 100"), false,
			"250-mx.test\r\n250-PIPELINING\r\n250 SIZE 100\r\n"},
		{"enhanced on every line (RFC 2034 4)", NewReply(452, EnhancedCode{4, 5, 3}, "Too many\nrecipients"), true,
			"452-4.5.3 Too many\r\n452 4.5.3 recipients\r\n"},
		{"enhanced left out when not negotiated", NewReply(550, EnhancedCode{5, 1, 1}, "No"), false, "550 No\r\n"},
		{"enhanced with empty text", NewReply(250, EnhancedCode{2, 0, 0}, ""), true, "250 2.0.0\r\n"},
		{"no lines", &Reply{Code: 221}, false, "221 \r\n"},
		{"CR and LF cannot inject a reply", &Reply{Code: 250, Lines: []string{"a\r\n250 b", "c\rd"}}, false,
			"250-a  250 b\r\n250 c d\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			w := bufio.NewWriter(&b)
			require.NoError(t, tc.r.writeTo(w, tc.enhanced))
			require.NoError(t, w.Flush())
			assert.Equal(t, tc.want, b.String())
		})
	}
}

func TestReply_RoundTrip_RFC5321_4_2_1(t *testing.T) {
	for _, r := range []*Reply{
		NewReply(250, EnhancedCode{2, 1, 5}, "Ok"),
		NewReply(550, EnhancedCode{5, 7, 1}, "Refused\nby policy\n"),
		NewReply(220, NoEnhancedCode, "mx.test ESMTP"),
		NewReply(221, NoEnhancedCode, ""),
	} {
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		require.NoError(t, r.writeTo(w, true))
		require.NoError(t, w.Flush())
		got, err := readReply(bufio.NewReader(&b), 100)
		require.NoError(t, err)
		assert.Equal(t, r, got)
	}
}

func TestReply_Error(t *testing.T) {
	assert.Equal(t, "550 5.1.1 No such user here", NewReply(550, EnhancedCode{5, 1, 1}, "No such\nuser here").Error())
	assert.Equal(t, "250 OK", NewReply(250, NoEnhancedCode, "OK").Error())
	assert.Equal(t, "221", (&Reply{Code: 221}).Error())
	assert.Equal(t, "5.7.8", EnhancedCode{5, 7, 8}.String())
	assert.Equal(t, "", NoEnhancedCode.String())
	assert.Equal(t, "a\nb", NewReply(250, NoEnhancedCode, "a\nb").Text())
}

func TestReply_RFC5321_4_2_1_Classes(t *testing.T) {
	for _, tc := range []struct {
		code                      int
		positive, temporary, perm bool
	}{
		{CodeOK, true, false, false},
		{CodeStartMailInput, true, false, false},
		{CodeMailboxBusy, false, true, false},
		{CodeServiceNotAvailable, false, true, false},
		{CodeMailboxUnavailable, false, false, true},
		{CodeParametersNotRecog, false, false, true},
	} {
		r := &Reply{Code: tc.code}
		assert.Equal(t, tc.positive, r.Positive(), tc.code)
		assert.Equal(t, tc.temporary, r.Temporary(), tc.code)
		assert.Equal(t, tc.perm, r.Permanent(), tc.code)
	}
}

func TestReplyCodes_RFC5321_4_2_3_And_RFC4954_6(t *testing.T) {
	// The numbers are the RFCs'; a typo in a constant would be silent.
	assert.Equal(t, []int{211, 214, 220, 221, 250, 251, 252, 354, 421, 450, 451, 452, 455,
		500, 501, 502, 503, 504, 550, 551, 552, 553, 554, 555},
		[]int{CodeSystemStatus, CodeHelp, CodeReady, CodeClosing, CodeOK, CodeUserNotLocalForwarded,
			CodeCannotVerify, CodeStartMailInput, CodeServiceNotAvailable, CodeMailboxBusy, CodeLocalError,
			CodeInsufficientStorage, CodeCannotAccommodate, CodeSyntaxError, CodeParameterSyntaxError,
			CodeNotImplemented, CodeBadSequence, CodeParameterNotImpl, CodeMailboxUnavailable,
			CodeUserNotLocal, CodeExceededStorage, CodeMailboxNameNotAllowed, CodeTransactionFailed,
			CodeParametersNotRecog})
	assert.Equal(t, []int{235, 334, 432, 454, 530, 534, 535, 538},
		[]int{CodeAuthSucceeded, CodeAuthContinue, CodePasswordTransition, CodeTempAuthFailure,
			CodeAuthRequired, CodeAuthTooWeak, CodeAuthInvalid, CodeEncryptionRequired})
}
