package pop3_test

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mailwire/mailwire/pop3"
)

// response matches a status line to the command it answers and checks
// it, and the multi-line data that follows, against the maildrop. It
// reports the +OK to STLS, after which TLS starts.
func (ck *responseChecker) response(br *bufio.Reader, line string) (bool, error) {
	if ck.next >= len(ck.lines) {
		return false, fmt.Errorf("response %q to no command", line)
	}
	cmdLine := ck.lines[ck.next]
	cmd, perr := pop3.ParseCommand(cmdLine)
	if strings.HasPrefix(line, "+ ") {
		if cmd.Verb != pop3.VerbAUTH || perr != nil {
			return false, fmt.Errorf("continuation %q to %q", line, cmdLine)
		}
		ck.extra++ // the next client line answers it
		return false, nil
	}
	ck.next += 1 + ck.extra
	ck.extra = 0
	if !strings.HasPrefix(line, "+OK") {
		return false, nil
	}
	if perr != nil {
		return false, fmt.Errorf("%q answered %q", cmdLine, line)
	}
	text := strings.TrimPrefix(strings.TrimPrefix(line, "+OK"), " ")
	switch cmd.Verb {
	case pop3.VerbPASS, pop3.VerbAPOP, pop3.VerbAUTH:
		ck.trans = true
	case pop3.VerbSTLS:
		return true, nil
	case pop3.VerbQUIT:
		ck.updated = ck.trans
		ck.closing = true
	case pop3.VerbSTAT:
		return false, ck.checkStat(line, text)
	case pop3.VerbRSET:
		clear(ck.marked)
	case pop3.VerbDELE:
		return false, ck.dele(cmd.Args[0])
	case pop3.VerbCAPA:
		return false, checkCapa(br)
	case pop3.VerbLIST, pop3.VerbUIDL:
		return false, ck.listing(br, cmd, text)
	case pop3.VerbRETR, pop3.VerbTOP:
		return false, ck.message(br, cmd, text)
	}
	return false, nil
}

// number is a message number the server accepted: it must name a message
// not marked deleted (RFC 1939 section 5).
func (ck *responseChecker) number(arg string) (int, error) {
	n, err := strconv.Atoi(arg)
	if err != nil || n < 1 || n > len(ck.msgs) || ck.marked[n] {
		return 0, fmt.Errorf("+OK for message %q, which is not a message left", arg)
	}
	return n, nil
}

// checkStat compares the drop listing "nn mm" of STAT (RFC 1939 section
// 5) with the messages left.
func (ck *responseChecker) checkStat(line, text string) error {
	wantN, wantSize := 0, 0
	for i, m := range ck.msgs {
		if !ck.marked[i+1] {
			wantN++
			wantSize += len(m)
		}
	}
	var n, size int
	if _, err := fmt.Sscanf(text, "%d %d", &n, &size); err != nil || n != wantN || size != wantSize {
		return fmt.Errorf("%q: the maildrop has %d messages of %d octets", line, wantN, wantSize)
	}
	return nil
}

// dele records a deletion mark. Nothing may be removed yet (RFC 1939
// section 6: only UPDATE removes messages), which the maildrop shows when
// the server cannot have run a later QUIT already: in lockstep, where the
// next line waits for this response.
func (ck *responseChecker) dele(arg string) error {
	n, err := ck.number(arg)
	if err != nil {
		return err
	}
	ck.marked[n] = true
	if got := ck.store.UIDs("alice"); ck.lockstep && !slices.Equal(got, ck.uids) {
		return fmt.Errorf("DELE %s removed a message before QUIT: the maildrop holds %v", arg, got)
	}
	return nil
}

// checkCapa reads the capability list (RFC 2449 section 5): one
// capability a line, each at most 512 octets.
func checkCapa(br *bufio.Reader) error {
	body, err := readBody(br)
	if err != nil {
		return err
	}
	for _, c := range strings.SplitAfter(string(body), "\r\n") {
		if c == "" {
			continue
		}
		if c == "\r\n" || c[0] == ' ' || len(c) > maxStatusLine {
			return fmt.Errorf("capability line %q", c)
		}
	}
	return nil
}

// listing checks LIST and UIDL (RFC 1939 sections 5 and 7): for one
// message "n value" on the status line, for all a multi-line list of
// every message left, in order.
func (ck *responseChecker) listing(br *bufio.Reader, cmd pop3.Command, text string) error {
	value := func(n int) string {
		if cmd.Verb == pop3.VerbUIDL {
			return ck.uids[n-1]
		}
		return strconv.Itoa(len(ck.msgs[n-1]))
	}
	if len(cmd.Args) == 1 {
		n, err := ck.number(cmd.Args[0])
		if err != nil {
			return err
		}
		if want := strconv.Itoa(n) + " " + value(n); text != want {
			return fmt.Errorf("%s %s answered %q, want %q", cmd.Verb, cmd.Args[0], text, want)
		}
		return nil
	}
	body, err := readBody(br)
	if err != nil {
		return err
	}
	var want strings.Builder
	for n := 1; n <= len(ck.msgs); n++ {
		if !ck.marked[n] {
			want.WriteString(strconv.Itoa(n) + " " + value(n) + "\r\n")
		}
	}
	if string(body) != want.String() {
		return fmt.Errorf("%s listed %q, want %q", cmd.Verb, body, want.String())
	}
	return nil
}

// message checks RETR, which sends the whole message (RFC 1939 section
// 5), and TOP, which sends the header, the empty line and the first lines
// of the body (section 7).
func (ck *responseChecker) message(br *bufio.Reader, cmd pop3.Command, text string) error {
	n, err := ck.number(cmd.Args[0])
	if err != nil {
		return err
	}
	msg := ck.msgs[n-1]
	want := msg
	if cmd.Verb == pop3.VerbTOP {
		k, err := strconv.Atoi(cmd.Args[1])
		if err != nil || k < 0 {
			return fmt.Errorf("+OK to TOP with %q lines", cmd.Args[1])
		}
		want = topOf(msg, k)
	} else if size, ok := strings.CutSuffix(text, " octets"); ok && size != strconv.Itoa(len(msg)) {
		// RFC 1939 leaves the text free; a size given must be right.
		return fmt.Errorf("RETR %d answered %q for a message of %d octets", n, text, len(msg))
	}
	body, err := readBody(br)
	if err != nil {
		return err
	}
	if !bytes.Equal(body, want) {
		return fmt.Errorf("%s sent %q, want %q", cmd, body, want)
	}
	return nil
}

// topOf returns the header of msg, the empty line after it and k lines
// of the body; all of msg when it has fewer.
func topOf(msg []byte, k int) []byte {
	inBody := false
	for i := 0; i < len(msg); {
		end := bytes.IndexByte(msg[i:], '\n')
		if end < 0 {
			break
		}
		empty := end == 1 && msg[i] == '\r'
		i += end + 1
		switch {
		case inBody:
			k--
		case empty:
			inBody = true
		default:
			continue
		}
		if k == 0 {
			return msg[:i]
		}
	}
	return msg
}
