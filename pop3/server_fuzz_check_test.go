package pop3_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3mem"
)

// maxStatusLine is the longest status line, CRLF included (RFC 1939
// section 3, RFC 2449 section 4).
const maxStatusLine = 512

// The responses after which the server ends the session on its own;
// they answer no command of their own.
var closingResponses = []string{
	"-ERR Too many errors, closing connection",
	"-ERR [AUTH] Too many failed logins, closing connection",
}

// responseChecker reads a server's responses as FuzzServerSession's client
// and matches each to the command line it answers, which pipelining (RFC
// 2449 6.6) keeps in order: one response per line, except that an AUTH
// exchange (RFC 5034 4) takes a client line for each "+ " continuation.
type responseChecker struct {
	lines [][]byte // the client's command lines, line ends removed
	next  int      // the line the next response answers
	extra int      // lines the AUTH exchange under way has taken
	store *pop3mem.Store
	// lockstep: each line is sent once the one before was answered.
	lockstep bool
	msgs     [][]byte
	uids     []string

	greeted, trans bool
	closing        bool // the server said it closes; nothing may follow
	marked         map[int]bool
	updated        bool // QUIT was answered +OK in TRANSACTION
}

func newResponseChecker(input []byte, lockstep bool, store *pop3mem.Store) *responseChecker {
	ck := &responseChecker{store: store, lockstep: lockstep, msgs: store.Messages("alice"),
		uids: store.UIDs("alice"), marked: map[int]bool{}}
	for len(input) > 0 {
		line, rest, ok := bytes.Cut(input, []byte("\n"))
		if !ok {
			break // a last line without LF: the server reads EOF instead
		}
		ck.lines = append(ck.lines, trimLineEnd(append(line, '\n')))
		input = rest
	}
	return ck
}

// expectedUIDs is what the maildrop must hold after the session: all it
// held unless UPDATE ran, then all but the marked messages.
func (ck *responseChecker) expectedUIDs(before []string) []string {
	if !ck.updated {
		return before
	}
	var kept []string
	for i, uid := range before {
		if !ck.marked[i+1] {
			kept = append(kept, uid)
		}
	}
	return kept
}

// read is the memnet.Script's Read: it checks every response until the
// end of the stream, or returns at the +OK to STLS (RFC 2595 4).
func (ck *responseChecker) read(r io.Reader) (bool, error) {
	br := bufio.NewReaderSize(r, 4096)
	for {
		line, err := readStatusLine(br)
		if err == io.EOF {
			return false, ck.atEnd()
		}
		if err != nil {
			return false, err
		}
		if ck.closing {
			return false, fmt.Errorf("response %q after the server said it closes", line)
		}
		if !ck.greeted {
			if !strings.HasPrefix(line, "+OK") {
				return false, fmt.Errorf("greeting %q", line)
			}
			ck.greeted = true
			continue
		}
		if slices.Contains(closingResponses, line) {
			ck.closing = true
			continue
		}
		startTLS, err := ck.response(br, line)
		if err != nil || startTLS {
			return startTLS, err
		}
	}
}

// atEnd checks, when the server closed, that every command was answered:
// only the server's own closing, or an AUTH exchange left waiting for a
// line the input did not hold, excuses a command without a response.
func (ck *responseChecker) atEnd() error {
	if ck.closing || ck.next >= len(ck.lines) || ck.extra > 0 && ck.next+ck.extra >= len(ck.lines) {
		return nil
	}
	return fmt.Errorf("command %q (line %d of %d) never answered", ck.lines[ck.next], ck.next+1, len(ck.lines))
}

// readStatusLine reads one status line and checks its form: "+OK" or
// "-ERR", alone or followed by SP and text, or "+" SP [base64] (RFC 1939
// section 3, RFC 5034 section 4), with CRLF, no NUL and at most 512
// octets; a response code must be well formed (RFC 2449 section 8).
func readStatusLine(br *bufio.Reader) (string, error) {
	raw, err := br.ReadSlice('\n')
	switch {
	case err == io.EOF && len(raw) == 0:
		return "", io.EOF
	case err != nil:
		return "", fmt.Errorf("status line %.40q...: %w", raw, err)
	case len(raw) > maxStatusLine:
		return "", fmt.Errorf("status line of %d octets: %.40q...", len(raw), raw)
	}
	body, ok := bytes.CutSuffix(raw, []byte("\r\n"))
	if !ok || bytes.ContainsAny(body, "\r\n\x00") {
		return "", fmt.Errorf("status line %q does not end in CRLF alone", raw)
	}
	line := string(body)
	if cont, ok := strings.CutPrefix(line, "+ "); ok {
		if _, err := base64.StdEncoding.DecodeString(cont); err != nil {
			return "", fmt.Errorf("continuation %q is not base64", line)
		}
		return line, nil
	}
	resp, err := pop3.ParseResponse(body)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(resp.Text, "[") {
		return "", fmt.Errorf("malformed response code in %q", line)
	}
	return line, nil
}

// readBody reads a multi-line response up to its "." line, undoing the
// dot-stuffing (RFC 1939 section 3): every line ends in CRLF, and a line
// that starts with "." is the terminator or starts with "..".
func readBody(br *bufio.Reader) ([]byte, error) {
	var body []byte
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return nil, fmt.Errorf("multi-line response cut off after %d octets: %w", len(body), err)
		}
		if !bytes.HasSuffix(line, []byte("\r\n")) || bytes.IndexByte(line[:len(line)-2], '\n') >= 0 {
			return nil, fmt.Errorf("multi-line response line %q does not end in CRLF", line)
		}
		if string(line) == ".\r\n" {
			return body, nil
		}
		if line[0] == '.' {
			if line[1] != '.' {
				return nil, fmt.Errorf("line %q not dot-stuffed", line)
			}
			line = line[1:]
		}
		if len(body)+len(line) > 1<<20 {
			return nil, errors.New("multi-line response of more than 1 MiB")
		}
		body = append(body, line...)
	}
}

// The checker that FuzzServerSession relies on must catch each way a
// response stream can break RFC 1939, RFC 2449 and RFC 5034, or disagree
// with the maildrop; a stream that breaks none passes.
func TestFuzzResponseChecker(t *testing.T) {
	const greet = "+OK pop.test ready\r\n"
	const login = "USER alice\nPASS secret\n"
	const loggedIn = greet + "+OK Send PASS\r\n+OK Maildrop has 4 messages (819 octets)\r\n"
	for _, tc := range []struct {
		name, input, stream string
		bad                 bool
	}{
		{"rfc1939_10_valid_session", login + "RETR 1\nDELE 1\nLIST\nQUIT\n", loggedIn +
			"+OK 23 octets\r\nSubject: one\r\n\r\nHello\r\n.\r\n+OK Message 1 deleted\r\n" +
			"+OK 3 messages\r\n2 59\r\n3 38\r\n4 699\r\n.\r\n+OK bye\r\n", false},
		{"rfc1939_3_greeting", "", "-ERR go away\r\n", true},
		{"rfc1939_3_status_indicator", "NOOP\n", greet + "+ok\r\n", true},
		{"rfc1939_3_crlf", "NOOP\n", greet + "+OK\n", true},
		{"rfc2449_4_line_at_512", "NOOP\n", greet + "+OK " + strings.Repeat("x", 506) + "\r\n", false},
		{"rfc2449_4_line_over_512", "NOOP\n", greet + "+OK " + strings.Repeat("x", 507) + "\r\n", true},
		{"rfc2449_8_response_code", "NOOP\n", greet + "-ERR [AUTH no\r\n", true},
		{"rfc2449_6_6_response_to_no_command", "", greet + "+OK\r\n", true},
		{"rfc2449_6_6_command_unanswered", "NOOP\nNOOP\n", greet + "+OK\r\n", true},
		{"rfc2449_6_6_closing_excuses", "X\nNOOP\n", greet + "-ERR x\r\n" + closingResponses[0] + "\r\n", false},
		{"rfc2449_6_6_nothing_after_closing", "X\nNOOP\n", greet + "-ERR x\r\n" + closingResponses[0] + "\r\n-ERR\r\n", true},
		{"rfc1939_3_dot_stuffing", login + "RETR 2\n", loggedIn + "+OK 59 octets\r\nSubject: dots\r\nX-A: b\r\n\r\n" +
			".leading dot\r\n..two dots\r\n.\r\n", true},
		{"rfc1939_3_terminator", login + "RETR 1\n", loggedIn + "+OK 23 octets\r\nSubject: one\r\n\r\nHello\r\n", true},
		{"rfc1939_5_retr_content", login + "RETR 1\n", loggedIn + "+OK 23 octets\r\nSubject: two\r\n\r\nHello\r\n.\r\n", true},
		{"rfc1939_5_retr_size", login + "RETR 1\n", loggedIn + "+OK 24 octets\r\nSubject: one\r\n\r\nHello\r\n.\r\n", true},
		{"rfc1939_7_top", login + "TOP 4 0\n", loggedIn + "+OK\r\nSubject: long\r\n\r\nline of body text\r\n.\r\n", true},
		{"rfc1939_5_deleted_listed", login + "DELE 1\nLIST\n", loggedIn + "+OK deleted\r\n+OK\r\n1 23\r\n2 59\r\n3 38\r\n4 699\r\n.\r\n", true},
		{"rfc1939_5_stat", login + "STAT\n", loggedIn + "+OK 4 818\r\n", true},
		{"rfc5034_4_continuation_base64", "AUTH PLAIN\n=\n", greet + "+ !!\r\n-ERR no\r\n", true},
		{"rfc5034_4_continuation_to_auth_only", "NOOP\n", greet + "+ \r\n+OK\r\n", true},
		{"rfc5034_4_exchange_left_waiting", "AUTH PLAIN\n", greet + "+ \r\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &pop3mem.Store{}
			store.AddUser("alice", "secret")
			for _, m := range fuzzMaildrop {
				store.Deliver("alice", []byte(m))
			}
			ck := newResponseChecker([]byte(tc.input), false, store)
			_, err := ck.read(strings.NewReader(tc.stream))
			if (err != nil) != tc.bad {
				t.Fatalf("error %v, want one: %v", err, tc.bad)
			}
		})
	}
}
