package smtp

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

// The fuzz targets check that the hand-written parsers never panic or
// hang, and hold properties a caller relies on. Seeds live in
// testdata/fuzz/<target>/ as well as here.

// FuzzParseCommand runs a command line through splitCommand and, for MAIL
// and RCPT, the argument parsers (RFC 5321 4.1.1.2, 4.1.1.3, 4.1.2).
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		"MAIL FROM:<a@b.test> SIZE=100 BODY=8BITMIME",
		"MAIL FROM:<> RET=HDRS ENVID=x+2By AUTH=<>",
		`MAIL FROM:<"q\"x"@[IPv6:::1]> SMTPUTF8`,
		"RCPT TO:<Postmaster> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;a+40b",
		"RCPT TO:<@r.test:jörg@bücher.test>",
		"rcpt to: <a@[192.0.2.1]>",
		"BDAT 100 LAST",
		"EHLO client.test",
	} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, line []byte, utf8 bool) {
		v, arg := splitCommand(line)
		if v != VerbUnknown && !bytes.HasPrefix(bytes.ToUpper(line), []byte(v.String())) {
			t.Fatalf("verb %s from %q", v, line)
		}
		switch v {
		case VerbMAIL:
			path, opts, r := parseMailArg(arg, utf8)
			if r == nil {
				checkParsedPath(t, path, true, utf8 && opts.UTF8)
			}
		case VerbRCPT:
			path, _, r := parseRcptArg(arg, utf8)
			if r == nil && !strings.EqualFold(path, "postmaster") {
				checkParsedPath(t, path, false, utf8)
			}
		case VerbBDAT:
			if size, _, ok := parseBDATArg(arg); ok && size < 0 {
				t.Fatalf("negative BDAT size from %q", arg)
			}
		}
	})
}

// checkParsedPath checks that an accepted path is a mailbox a client may
// send (ValidAddress) and can carry no line or parameter.
func checkParsedPath(t *testing.T, path string, reverse, utf8 bool) {
	t.Helper()
	if path == "" {
		if !reverse {
			t.Fatal("null forward path accepted")
		}
		return
	}
	if strings.ContainsAny(path, "\r\n\x00") {
		t.Fatalf("path %q holds a line end or NUL", path)
	}
	if !ValidAddress(path, utf8) {
		t.Fatalf("parsed path %q is not a valid address", path)
	}
}

// FuzzParsePath runs parsePath (RFC 5321 4.1.2) on arbitrary input and
// checks that what it accepts round-trips through ValidAddress.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"<a@b.test>", "<>", "<@a.test,@b.test:c@d.test>", `<"a b"@c.test>`,
		"<x@[IPv6:2001:db8::1]>", "<x@[tag:content]>", "<δ@δ.test>", "<a@b-.test>", "<a.@b>"} {
		f.Add([]byte(s), false, true)
	}
	f.Fuzz(func(t *testing.T, p []byte, reverse, utf8 bool) {
		path, r := parsePath(p, reverse, utf8)
		if r != nil {
			if r.Code < 500 || r.Code > 599 {
				t.Fatalf("refusal %v is not permanent", r)
			}
			return
		}
		checkParsedPath(t, path, reverse, utf8)
	})
}

// FuzzReadReply feeds arbitrary server output to readReply (RFC 5321
// 4.2.1) and checks that an accepted reply is well formed and formats
// back to something that reads as the same reply.
func FuzzReadReply(f *testing.F) {
	for _, s := range []string{
		"250 OK\r\n",
		"250-mx.test\r\n250-PIPELINING\r\n250 SIZE 100\r\n",
		"550 5.1.1 No such user\r\n",
		"452-4.5.3 a\r\n452 4.5.3 b\r\n",
		"250\r\n",
		"220 mx ESMTP 2.0.1\n",
		"250-a\r\n251 b\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		br := bufio.NewReaderSize(bytes.NewReader(in), 64)
		r, err := readReply(br, 10)
		if err != nil {
			return
		}
		if r.Code < 200 || r.Code > 599 || len(r.Lines) == 0 || len(r.Lines) > 10 {
			t.Fatalf("accepted %+v", r)
		}
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		if err := r.writeTo(w, true); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		again, err := readReply(bufio.NewReaderSize(&b, 4096), 10)
		if err != nil {
			t.Fatalf("%q formats as %q, which does not read back: %v", in, b.String(), err)
		}
		// A CR inside a line is written as a space, after which text like
		// "2.0.0\r0" reads as an enhanced code; only the code must hold then.
		if again.Code != r.Code || again.Enhanced != r.Enhanced && !strings.Contains(r.Text(), "\r") {
			t.Fatalf("%+v reads back as %+v", r, again)
		}
	})
}
