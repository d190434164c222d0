package smtp

import (
	"bufio"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitCommand_RFC5321_4_1_1(t *testing.T) {
	for _, tc := range []struct {
		line string
		verb Verb
		arg  string
	}{
		{"EHLO client.test", VerbEHLO, "client.test"},
		{"ehlo client.test", VerbEHLO, "client.test"}, // 2.4: verbs are case-insensitive
		{"HeLo x", VerbHELO, "x"},
		{"LHLO x", VerbLHLO, "x"},
		{"MAIL FROM:<a@b.test>", VerbMAIL, "FROM:<a@b.test>"},
		{"RCPT   TO:<a@b.test>", VerbRCPT, "TO:<a@b.test>"},
		{"DATA", VerbDATA, ""},
		{"BDAT 10 LAST", VerbBDAT, "10 LAST"},
		{"RSET", VerbRSET, ""},
		{"NOOP anything", VerbNOOP, "anything"},
		{"QUIT", VerbQUIT, ""},
		{"VRFY smith", VerbVRFY, "smith"},
		{"EXPN list", VerbEXPN, "list"},
		{"HELP", VerbHELP, ""},
		{"STARTTLS", VerbSTARTTLS, ""},
		{"starttls", VerbSTARTTLS, ""},
		{"AUTH PLAIN =", VerbAUTH, "PLAIN ="},
		{"XCLIENT a=b", VerbUnknown, "a=b"},
		{"MAILX", VerbUnknown, ""},
		{"", VerbUnknown, ""},
		{" MAIL", VerbUnknown, "MAIL"},
		{"MAİL x", VerbUnknown, "x"},
	} {
		t.Run(tc.line, func(t *testing.T) {
			v, arg := splitCommand([]byte(tc.line))
			assert.Equal(t, tc.verb, v)
			assert.Equal(t, tc.arg, string(arg))
		})
	}
	for v := VerbEHLO; v < numVerbs; v++ {
		got, _ := splitCommand([]byte(v.String()))
		assert.Equal(t, v, got, "every verb's name reads back as the verb")
	}
	assert.Equal(t, "UNKNOWN", VerbUnknown.String())
	assert.Equal(t, "UNKNOWN", Verb(200).String())
}

func TestParseMailArg_RFC5321_4_1_1_2(t *testing.T) {
	for _, tc := range []struct {
		name, arg string
		utf8      bool
		path      string
		opts      *MailOptions
		code      int
		enhanced  EnhancedCode
	}{
		{name: "plain", arg: "FROM:<a@b.test>", path: "a@b.test", opts: &MailOptions{}},
		{name: "case-insensitive FROM", arg: "from:<a@b.test>", path: "a@b.test", opts: &MailOptions{}},
		{name: "space after colon tolerated", arg: "FROM: <a@b.test>", path: "a@b.test", opts: &MailOptions{}},
		{name: "null path (4.5.5)", arg: "FROM:<>", path: "", opts: &MailOptions{}},
		{name: "source route dropped (4.1.2, C)", arg: "FROM:<@r1.test,@r2.test:a@b.test>", path: "a@b.test", opts: &MailOptions{}},
		{name: "quoted local part", arg: `FROM:<"john smith"@b.test>`, path: `"john smith"@b.test`, opts: &MailOptions{}},
		{name: "quoted local part with > and \\\"", arg: `FROM:<"a>b\"c"@b.test> SIZE=1`, path: `"a>b\"c"@b.test`, opts: &MailOptions{Size: 1}},
		{name: "IPv4 literal (4.1.3)", arg: "FROM:<a@[192.0.2.1]>", path: "a@[192.0.2.1]", opts: &MailOptions{}},
		{name: "IPv6 literal (4.1.3)", arg: "FROM:<a@[IPv6:2001:db8::1]>", path: "a@[IPv6:2001:db8::1]", opts: &MailOptions{}},
		{name: "all parameters", arg: "FROM:<a@b.test> size=100 BODY=8bitmime RET=hdrs ENVID=x+2By AUTH=<>",
			path: "a@b.test", opts: &MailOptions{Size: 100, Body: Body8BitMIME, Return: ReturnHeaders, EnvelopeID: "x+y", Auth: "<>"}},
		{name: "BINARYMIME (RFC 3030 3)", arg: "FROM:<a@b.test> BODY=BINARYMIME", path: "a@b.test", opts: &MailOptions{Body: BodyBinaryMIME}},
		{name: "SMTPUTF8 (RFC 6531 3.4)", arg: "FROM:<jörg@bücher.test> SMTPUTF8", utf8: true, path: "jörg@bücher.test", opts: &MailOptions{UTF8: true}},
		{name: "extra spaces between parameters", arg: "FROM:<a@b.test>  SIZE=1  ", path: "a@b.test", opts: &MailOptions{Size: 1}},

		{name: "no FROM", arg: "<a@b.test>", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "no brackets", arg: "FROM:a@b.test", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "unclosed", arg: "FROM:<a@b.test", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "text glued to path", arg: "FROM:<a@b.test>SIZE=1", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "no domain", arg: "FROM:<alice>", code: 501, enhanced: EnhancedCode{5, 1, 7}},
		{name: "empty local part", arg: "FROM:<@b.test>", code: 501, enhanced: EnhancedCode{5, 1, 7}},
		{name: "double dot", arg: "FROM:<a..b@b.test>", code: 501, enhanced: EnhancedCode{5, 1, 7}},
		{name: "domain with trailing hyphen", arg: "FROM:<a@b-.test>", code: 501, enhanced: EnhancedCode{5, 1, 7}},
		{name: "bad IPv4 literal", arg: "FROM:<a@[300.1.1.1]>", code: 501, enhanced: EnhancedCode{5, 1, 7}},
		{name: "8-bit without SMTPUTF8 (RFC 6531 3.5)", arg: "FROM:<jörg@b.test>", utf8: true, code: 550, enhanced: EnhancedCode{5, 6, 7}},
		{name: "SMTPUTF8 not offered", arg: "FROM:<jörg@b.test> SMTPUTF8", code: 550, enhanced: EnhancedCode{5, 6, 7}},
		{name: "unknown parameter (4.1.1.11)", arg: "FROM:<a@b.test> FOO=1", code: 555, enhanced: EnhancedCode{5, 5, 4}},
		{name: "duplicate parameter", arg: "FROM:<a@b.test> SIZE=1 SIZE=2", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "bad SIZE", arg: "FROM:<a@b.test> SIZE=-1", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "SIZE with plus", arg: "FROM:<a@b.test> SIZE=+1", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "SIZE overflow", arg: "FROM:<a@b.test> SIZE=99999999999999999999", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "unknown BODY", arg: "FROM:<a@b.test> BODY=9BIT", code: 504, enhanced: EnhancedCode{5, 5, 4}},
		{name: "SMTPUTF8 with value", arg: "FROM:<a@b.test> SMTPUTF8=yes", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "bad RET", arg: "FROM:<a@b.test> RET=ALL", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "bad ENVID xtext", arg: "FROM:<a@b.test> ENVID=a+zz", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "empty value", arg: "FROM:<a@b.test> SIZE=", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "bad keyword", arg: "FROM:<a@b.test> -SIZE=1", code: 501, enhanced: EnhancedCode{5, 5, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, opts, r := parseMailArg([]byte(tc.arg), tc.utf8)
			checkArg(t, path, opts, r, tc.path, tc.opts, tc.code, tc.enhanced)
		})
	}
}

// checkArg checks a MAIL or RCPT argument parse: the reply when code is
// set, else the path and options.
func checkArg[O any](t *testing.T, path string, opts O, r *Reply, wantPath string, wantOpts O, code int, enhanced EnhancedCode) {
	t.Helper()
	if code != 0 {
		require.NotNil(t, r)
		assert.Equal(t, code, r.Code, r.Error())
		assert.Equal(t, enhanced, r.Enhanced, r.Error())
		return
	}
	require.Nil(t, r)
	assert.Equal(t, wantPath, path)
	assert.Equal(t, wantOpts, opts)
}

func TestParseRcptArg_RFC5321_4_1_1_3(t *testing.T) {
	for _, tc := range []struct {
		name, arg string
		utf8      bool
		path      string
		opts      *RcptOptions
		code      int
		enhanced  EnhancedCode
	}{
		{name: "plain", arg: "TO:<a@b.test>", path: "a@b.test", opts: &RcptOptions{}},
		{name: "Postmaster without domain (4.5.1)", arg: "TO:<Postmaster>", path: "Postmaster", opts: &RcptOptions{}},
		{name: "postmaster any case", arg: "to:<pOsTmAsTeR>", path: "pOsTmAsTeR", opts: &RcptOptions{}},
		{name: "Postmaster@domain", arg: "TO:<Postmaster@b.test>", path: "Postmaster@b.test", opts: &RcptOptions{}},
		{name: "source route dropped", arg: "TO:<@hop.test:a@b.test>", path: "a@b.test", opts: &RcptOptions{}},
		{name: "NOTIFY and ORCPT (RFC 3461 4.1, 4.2)", arg: "TO:<a@b.test> NOTIFY=SUCCESS,delay ORCPT=rfc822;x+2By@b.test",
			path: "a@b.test", opts: &RcptOptions{Notify: []DSNNotify{NotifySuccess, NotifyDelay}, OriginalRecipientType: "rfc822", OriginalRecipient: "x+y@b.test"}},
		{name: "NOTIFY=NEVER", arg: "TO:<a@b.test> NOTIFY=NEVER", path: "a@b.test", opts: &RcptOptions{Notify: []DSNNotify{NotifyNever}}},
		{name: "UTF-8 with SMTPUTF8", arg: "TO:<δοκιμή@παράδειγμα.δοκιμή>", utf8: true, path: "δοκιμή@παράδειγμα.δοκιμή", opts: &RcptOptions{}},

		{name: "null path", arg: "TO:<>", code: 501, enhanced: EnhancedCode{5, 1, 3}},
		{name: "no TO", arg: "<a@b.test>", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "UTF-8 without SMTPUTF8 (RFC 6531 3.5)", arg: "TO:<δοκιμή@b.test>", code: 553, enhanced: EnhancedCode{5, 6, 7}},
		{name: "NEVER with others", arg: "TO:<a@b.test> NOTIFY=NEVER,DELAY", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "NOTIFY twice the same", arg: "TO:<a@b.test> NOTIFY=DELAY,DELAY", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "ORCPT without type", arg: "TO:<a@b.test> ORCPT=x@b.test", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "ORCPT without address", arg: "TO:<a@b.test> ORCPT=rfc822;", code: 501, enhanced: EnhancedCode{5, 5, 4}},
		{name: "MAIL parameter on RCPT", arg: "TO:<a@b.test> SIZE=1", code: 555, enhanced: EnhancedCode{5, 5, 4}},
		{name: "bad domain", arg: "TO:<a@-b.test>", code: 501, enhanced: EnhancedCode{5, 1, 3}},
		{name: "bad source route", arg: "TO:<@:a@b.test>", code: 501, enhanced: EnhancedCode{5, 1, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, opts, r := parseRcptArg([]byte(tc.arg), tc.utf8)
			checkArg(t, path, opts, r, tc.path, tc.opts, tc.code, tc.enhanced)
		})
	}
}

func TestValidAddress_RFC5321_4_1_2(t *testing.T) {
	for _, tc := range []struct {
		addr string
		utf8 bool
		ok   bool
	}{
		{"a@b.test", false, true},
		{"first.last+tag@sub.b.test", false, true},
		{"!#$%&'*+-/=?^_`{|}~@b.test", false, true},
		{`"quoted string"@b.test`, false, true},
		{`"a\"b"@b.test`, false, true},
		{"a@[192.0.2.1]", false, true},
		{"a@[IPv6:::1]", false, true},
		{"a@[x-tag:content]", false, true},
		{"a@localhost", false, true},
		{"a@" + strings.Repeat("l", 63) + ".test", false, true},
		{"jörg@bücher.test", true, true},

		{"", false, false},
		{"a", false, false},
		{"a@", false, false},
		{"@b.test", false, false},
		{".a@b.test", false, false},
		{"a.@b.test", false, false},
		{"a b@b.test", false, false},
		{"a@b.test\r\nRCPT TO:<x@y>", false, false},
		{"a@b.test>", false, false},
		{"a@b..test", false, false},
		{"a@b.test.", false, false},
		{"a@-b.test", false, false},
		{"a@" + strings.Repeat("l", 64) + ".test", false, false},
		{`"unterminated@b.test`, false, false},
		{"\"ctl\x01\"@b.test", false, false},
		{"a@[192.0.2.1", false, false},
		{"a@[IPv6:192.0.2.1]", false, false},
		{"a@[IPv6:fe80::1%eth0]", false, false},
		{"a@[1.2.3]", false, false},
		{"jörg@b.test", false, false},
		{"a@b_c.test", false, false},
		{"a\x00@b.test", false, false},
	} {
		assert.Equal(t, tc.ok, ValidAddress(tc.addr, tc.utf8), "%q utf8=%v", tc.addr, tc.utf8)
	}
}

func TestXtext_RFC3461_4(t *testing.T) {
	for _, tc := range []struct{ plain, encoded string }{
		{"abc", "abc"},
		{"a+b=c", "a+2Bb+3Dc"},
		{"with space", "with+20space"},
		{"\r\n", "+0D+0A"},
		{"é", "+C3+A9"},
		{"", ""},
	} {
		assert.Equal(t, tc.encoded, encodeXtext(tc.plain))
		got, ok := decodeXtext(tc.encoded)
		assert.True(t, ok)
		assert.Equal(t, tc.plain, got)
	}
	for _, bad := range []string{"+", "+2", "+2b", "+ZZ", "a+"} {
		_, ok := decodeXtext(bad)
		assert.False(t, ok, bad)
	}
}

func TestParseBDATArg_RFC3030_2(t *testing.T) {
	for _, tc := range []struct {
		arg      string
		size     int64
		last, ok bool
	}{
		{"0", 0, false, true},
		{"1000", 1000, false, true},
		{"10 LAST", 10, true, true},
		{"10 last", 10, true, true},
		{"0 LAST", 0, true, true},
		{"", 0, false, false},
		{"-1", 0, false, false},
		{"1x", 0, false, false},
		{"10 FIRST", 0, false, false},
		{"1234567890123456789", 0, false, false},
	} {
		size, last, ok := parseBDATArg([]byte(tc.arg))
		assert.Equal(t, tc.ok, ok, tc.arg)
		if tc.ok {
			assert.Equal(t, tc.size, size, tc.arg)
			assert.Equal(t, tc.last, last, tc.arg)
		}
	}
}

func BenchmarkParseMail(b *testing.B) {
	arg := []byte("FROM:<first.last+tag@sub.example.com> SIZE=123456 BODY=8BITMIME")
	b.ReportAllocs()
	b.SetBytes(int64(len(arg)))
	for b.Loop() {
		if _, _, r := parseMailArg(arg, false); r != nil {
			b.Fatal(r)
		}
	}
}

func BenchmarkParseRcpt(b *testing.B) {
	arg := []byte("TO:<recipient.name@mail.example.org> NOTIFY=SUCCESS,FAILURE")
	b.ReportAllocs()
	b.SetBytes(int64(len(arg)))
	for b.Loop() {
		if _, _, r := parseRcptArg(arg, false); r != nil {
			b.Fatal(r)
		}
	}
}

func BenchmarkSplitCommand(b *testing.B) {
	line := []byte("RCPT TO:<recipient.name@mail.example.org>")
	b.ReportAllocs()
	for b.Loop() {
		if v, _ := splitCommand(line); v != VerbRCPT {
			b.Fatal(v)
		}
	}
}

func BenchmarkParsePath(b *testing.B) {
	p := []byte("<@relay.example.net:\"quoted local\"@[IPv6:2001:db8::1]>")
	b.ReportAllocs()
	for b.Loop() {
		if _, r := parsePath(p, false, false); r != nil {
			b.Fatal(r)
		}
	}
}

func BenchmarkReadReply(b *testing.B) {
	ehlo := "250-mx.example.com greets client\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n" +
		"250-ENHANCEDSTATUSCODES\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n"
	r := strings.NewReader(ehlo)
	br := bufio.NewReader(r)
	b.ReportAllocs()
	b.SetBytes(int64(len(ehlo)))
	for b.Loop() {
		r.Reset(ehlo)
		br.Reset(r)
		if _, err := readReply(br, 100); err != nil {
			b.Fatal(err)
		}
	}
}
