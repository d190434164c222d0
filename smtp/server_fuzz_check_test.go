package smtp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// maxReplyLine is the longest reply line, code and CRLF included (RFC
// 5321 4.5.3.1.5).
const maxReplyLine = 512

// replyChecker reads a server's replies as FuzzServerSession's client and
// checks each against RFC 5321 4.2 and RFC 2034, and counts the messages
// the server said it accepted.
type replyChecker struct {
	lmtp   bool
	stored func() int // how many messages the backend holds now

	replies  int  // replies read so far
	closing  bool // a 221 or 421 was read: the server must close now
	rcptOK   int  // recipients accepted in the open transaction
	owed     int  // LMTP: further 250s owed for the message just accepted
	accepted int  // messages answered 250 after their data
}

// A reply as the checker saw it: its code and each line's text.
type seenReply struct {
	code  string
	lines []string
}

// read is the memnet.Script's Read: it checks every reply until the end
// of the stream, or returns at the 220 that starts TLS (RFC 3207 4).
func (ck *replyChecker) read(r io.Reader) (bool, error) {
	br := bufio.NewReaderSize(r, 2*maxReplyLine)
	for {
		rep, err := readFuzzReply(br)
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if ck.closing {
			return false, fmt.Errorf("reply %q after the closing reply", rep.code)
		}
		ck.replies++
		startTLS, err := ck.check(rep)
		if err != nil || startTLS {
			return startTLS, err
		}
	}
}

// readFuzzReply reads one reply: lines "ddd-text" then "ddd text" (or a
// bare "ddd"), all with one code (RFC 5321 4.2.1). io.EOF means the stream
// ended between replies.
func readFuzzReply(br *bufio.Reader) (seenReply, error) {
	var rep seenReply
	for {
		line, err := br.ReadSlice('\n')
		switch {
		case err == io.EOF && len(line) == 0 && rep.code == "":
			return rep, io.EOF
		case err == bufio.ErrBufferFull:
			return rep, fmt.Errorf("reply line longer than %d octets: %q...", br.Size(), line[:40])
		case err != nil:
			return rep, fmt.Errorf("stream ended inside a reply (%q): %w", line, err)
		}
		code, text, last, err := parseReplyLine(line)
		if err != nil {
			return rep, err
		}
		if rep.code != "" && code != rep.code {
			return rep, fmt.Errorf("reply %s continued by line %q", rep.code, line)
		}
		rep.code = code
		rep.lines = append(rep.lines, text)
		if len(rep.lines) > 100 {
			return rep, errors.New("reply of more than 100 lines")
		}
		if last {
			return rep, nil
		}
	}
}

// parseReplyLine checks one reply line: Reply-code [("-" / SP) textstring]
// CRLF, where Reply-code is %x32-35 %x30-35 %x30-39 and textstring is HT,
// SP and printable US-ASCII (RFC 5321 4.2), at most 512 octets.
func parseReplyLine(line []byte) (code, text string, last bool, err error) {
	body, ok := bytes.CutSuffix(line, []byte("\r\n"))
	switch {
	case !ok || bytes.ContainsAny(body, "\r\n"):
		return "", "", false, fmt.Errorf("reply line %q does not end in CRLF alone", line)
	case len(line) > maxReplyLine:
		return "", "", false, fmt.Errorf("reply line of %d octets: %q", len(line), line)
	case len(body) < 3 || body[0] < '2' || body[0] > '5' || body[1] < '0' || body[1] > '5' || body[2] < '0' || body[2] > '9':
		return "", "", false, fmt.Errorf("reply line %q has no 2yz-5yz code", line)
	case len(body) > 3 && body[3] != ' ' && body[3] != '-':
		return "", "", false, fmt.Errorf("reply line %q: code not followed by SP or -", line)
	}
	for _, c := range body[min(4, len(body)):] {
		if c != '\t' && (c < ' ' || c > '~') {
			return "", "", false, fmt.Errorf("reply line %q holds octet %#x outside textstring", line, c)
		}
	}
	last = len(body) == 3 || body[3] == ' '
	return string(body[:3]), string(body[min(4, len(body)):]), last, nil
}

// check applies the rules that need context: the greeting comes first,
// enhanced codes (RFC 2034 section 4), the close after 221 and 421, and
// the count of messages accepted. It reports a 220 that starts TLS.
func (ck *replyChecker) check(rep seenReply) (bool, error) {
	if ck.replies == 1 {
		if rep.code != "220" {
			return false, fmt.Errorf("greeting %s %q", rep.code, rep.lines)
		}
		return false, nil
	}
	hello := rep.code == "250" && strings.HasPrefix(rep.lines[0], fuzzDomain+" Hello ")
	if !hello && rep.code[0] != '3' {
		if err := checkEnhanced(rep); err != nil {
			return false, err
		}
	}
	text := rep.code + " " + rep.lines[0]
	switch {
	case rep.code == "220":
		return true, nil // the go-ahead for STARTTLS; TLS comes next
	case rep.code == "221" || rep.code == "421":
		ck.closing = true
	case text == "250 2.1.0 Sender OK":
		ck.rcptOK = 0
	case text == "250 2.1.5 Recipient OK":
		ck.rcptOK++
	case text == "250 2.0.0 Message accepted":
		return false, ck.messageAccepted()
	}
	return false, nil
}

// messageAccepted counts a 250 to the end of the data. In LMTP mode the
// message gets one per accepted recipient (RFC 2033 4.2), so only the
// first of them counts a message. The backend must hold the message by
// the time the client reads its 250.
func (ck *replyChecker) messageAccepted() error {
	if ck.owed > 0 {
		ck.owed--
		return nil
	}
	ck.accepted++
	if ck.lmtp {
		ck.owed = ck.rcptOK - 1
	}
	if n := ck.stored(); n < ck.accepted {
		return fmt.Errorf("250 for message %d read while the backend holds %d", ck.accepted, n)
	}
	return nil
}

// checkEnhanced requires an RFC 3463 code "class.subject.detail" of the
// reply's class, the same on every line (RFC 2034 section 4).
func checkEnhanced(rep seenReply) error {
	var first string
	for _, text := range rep.lines {
		code, _, _ := strings.Cut(text, " ")
		parts := strings.Split(code, ".")
		if len(parts) != 3 || parts[0] != rep.code[:1] || !digits(parts[1]) || !digits(parts[2]) {
			return fmt.Errorf("reply %s %q: no enhanced code of class %c", rep.code, text, rep.code[0])
		}
		if first != "" && code != first {
			return fmt.Errorf("reply %s: enhanced code %s then %s", rep.code, first, code)
		}
		first = code
	}
	return nil
}

// digits reports 1 to 3 decimal digits (RFC 3463 section 2).
func digits(s string) bool {
	if len(s) == 0 || len(s) > 3 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// The checker that FuzzServerSession relies on must catch each way a
// reply stream can break RFC 5321 4.2, RFC 2034 and the count of
// accepted messages; a stream that breaks none passes.
func TestFuzzReplyChecker(t *testing.T) {
	const greet = "220 mx.test ESMTP\r\n"
	for _, tc := range []struct {
		name, stream string
		stored       int
		bad          bool
	}{
		{"rfc5321_4_2_valid_session", greet + "250-mx.test Hello c\r\n250-PIPELINING\r\n250 HELP\r\n" +
			"250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n354 End data\r\n250 2.0.0 Message accepted\r\n" +
			"221 2.0.0 bye\r\n", 1, false},
		{"rfc5321_4_2_bare_code", greet + "250 2.0.0 a\r\n250\r\n", 0, true},
		{"rfc5321_4_2_greeting_first", "250 2.0.0 OK\r\n", 0, true},
		{"rfc5321_4_2_lf_only", greet + "250 2.0.0 OK\n", 0, true},
		{"rfc5321_4_2_code_range", greet + "260 2.0.0 OK\r\n", 0, true},
		{"rfc5321_4_2_code_separator", greet + "250_2.0.0 OK\r\n", 0, true},
		{"rfc5321_4_2_1_continuation_code", greet + "250-2.0.0 a\r\n251 2.0.0 b\r\n", 0, true},
		{"rfc5321_4_2_textstring", greet + "250 2.0.0 \x01\r\n", 0, true},
		{"rfc5321_4_5_3_1_5_line_at_512", greet + "250 2.0.0 " + strings.Repeat("x", 500) + "\r\n", 0, false},
		{"rfc5321_4_5_3_1_5_line_over_512", greet + "250 2.0.0 " + strings.Repeat("x", 501) + "\r\n", 0, true},
		{"rfc5321_4_2_cut_reply", greet + "250-2.0.0 a\r\n", 0, true},
		{"rfc2034_4_missing_code", greet + "250 OK\r\n", 0, true},
		{"rfc2034_4_class", greet + "550 2.0.0 no\r\n", 0, true},
		{"rfc2034_4_same_code_each_line", greet + "250-2.0.0 a\r\n250 2.1.0 b\r\n", 0, true},
		{"rfc5321_3_8_after_421", greet + "421 4.3.2 bye\r\n250 2.0.0 more\r\n", 0, true},
		{"rfc5321_4_1_1_4_stored_without_250", greet, 1, true},
		{"rfc5321_4_1_1_4_250_not_stored", greet + "250 2.0.0 Message accepted\r\n", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ck := &replyChecker{stored: func() int { return tc.stored }}
			_, err := ck.read(strings.NewReader(tc.stream))
			if err == nil && ck.accepted != tc.stored {
				err = fmt.Errorf("stored %d, accepted %d", tc.stored, ck.accepted)
			}
			if (err != nil) != tc.bad {
				t.Fatalf("error %v, want one: %v", err, tc.bad)
			}
		})
	}
}

// In LMTP mode the 250s after the data are one per accepted recipient
// (RFC 2033 4.2) and count one message; a 220 after the greeting hands
// over to TLS.
func TestFuzzReplyCheckerLMTPAndTLS(t *testing.T) {
	ck := &replyChecker{lmtp: true, stored: func() int { return 1 }}
	startTLS, err := ck.read(strings.NewReader("220 mx.test LMTP\r\n250 2.1.0 Sender OK\r\n" +
		"250 2.1.5 Recipient OK\r\n250 2.1.5 Recipient OK\r\n250 2.0.0 Message accepted\r\n" +
		"250 2.0.0 Message accepted\r\n220 2.0.0 Ready to start TLS\r\n250 2.0.0 unread\r\n"))
	if err != nil || !startTLS || ck.accepted != 1 {
		t.Fatalf("startTLS %v, accepted %d, err %v", startTLS, ck.accepted, err)
	}
}
