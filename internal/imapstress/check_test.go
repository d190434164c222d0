package imapstress

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// feed checks the responses in wire against a fresh view during command
// and returns the first violation.
func feed(command, wire string) error {
	br := bufio.NewReader(strings.NewReader(wire))
	v := newView()
	v.command = command
	for {
		r, err := readResponse(br)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		p := newParser(r)
		if p.peek() == '*' {
			p.i += 2
			if err := v.untagged(p); err != nil {
				return err
			}
			continue
		}
		t, err := parseTagged(p)
		if err != nil {
			return err
		}
		if t.code == "SERVERBUG" {
			return errServerBug
		}
	}
}

var errServerBug = errors.New("tagged SERVERBUG")

// TestChecker shows that each rule the package checks catches what
// breaks it: the sequence numbers of RFC 3501 sections 7.3.1 and 7.4.1,
// keywords announced first (section 7.2.6), UIDs ascending (section
// 2.3.1.1), well-formed FETCH responses, CRLF line ends.
func TestChecker(t *testing.T) {
	const flags = "* FLAGS (\\Seen \\Deleted)\r\n"
	for _, tc := range []struct {
		name, command, wire, err string
	}{
		{"valid", "NOOP", flags + "* 2 EXISTS\r\n* 1 FETCH (UID 4 FLAGS (\\Seen))\r\n* 2 FETCH (UID 7 RFC822.SIZE 3 BODY[] {3}\r\nabc)\r\n* 1 EXPUNGE\r\n* 1 FETCH (UID 7)\r\nt1 OK done\r\n", ""},
		{"FETCH past EXISTS", "NOOP", "* 1 EXISTS\r\n* 2 FETCH (FLAGS ())\r\n", "FETCH 2 past EXISTS 1"},
		{"EXPUNGE past EXISTS", "NOOP", "* 1 EXISTS\r\n* 2 EXPUNGE\r\n", "EXPUNGE 2 past EXISTS 1"},
		{"EXPUNGE during FETCH", "FETCH", "* 1 EXISTS\r\n* 1 EXPUNGE\r\n", "EXPUNGE 1 during FETCH"},
		{"EXISTS shrinks", "NOOP", "* 2 EXISTS\r\n* 1 EXISTS\r\n", "EXISTS 1 below"},
		{"keyword not announced", "NOOP", flags + "* 1 EXISTS\r\n* 1 FETCH (FLAGS (\\Seen $Todo))\r\n", "not announced"},
		{"UIDs descending", "NOOP", "* 2 EXISTS\r\n* 1 FETCH (UID 9)\r\n* 2 FETCH (UID 5)\r\n", "not above"},
		{"UID changed", "NOOP", "* 1 EXISTS\r\n* 1 FETCH (UID 9)\r\n* 1 FETCH (UID 8)\r\n", "was 9"},
		{"tagged inside FETCH", "FETCH", "* 1 EXISTS\r\n* 1 FETCH (UID 1 BODY[] t4 NO [SERVERBUG] oops\r\n", "want an nstring"},
		{"line cut", "FETCH", "* 1 EXISTS\r\n* 1 FETCH (UID 1\r\n", "want"},
		{"size mismatch", "FETCH", "* 1 EXISTS\r\n* 1 FETCH (RFC822.SIZE 4 BODY[] {3}\r\nabc)\r\n", "RFC822.SIZE 4"},
		{"bare LF", "NOOP", "* 1 EXISTS\n", "CRLF"},
		{"untagged SERVERBUG", "NOOP", "* NO [SERVERBUG] x\r\n", "SERVERBUG"},
		{"tagged SERVERBUG", "NOOP", "t1 NO [SERVERBUG] x\r\n", "SERVERBUG"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := feed(tc.command, tc.wire)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.err)
		})
	}
}

// TestJudge: a tagged NO is accepted only with a code allowedNO lists
// for the command; BAD and SERVERBUG never.
func TestJudge(t *testing.T) {
	for _, tc := range []struct {
		command, status, code string
		ok                    bool
	}{
		{"FETCH", "OK", "EXPUNGEISSUED", true},
		{"FETCH", "NO", "EXPUNGEISSUED", false},
		{"STORE", "NO", "EXPUNGEISSUED", true},
		{"COPY", "NO", "EXPUNGEISSUED", true},
		{"COPY", "NO", "SERVERBUG", false},
		{"NOOP", "BAD", "", false},
		{"APPEND", "NO", "TRYCREATE", false},
	} {
		s := &session{v: newView(), stats: &Report{Replies: map[string]int{}}}
		s.v.command = tc.command
		err := s.judge(&tagged{status: tc.status, code: tc.code})
		require.Equal(t, tc.ok, err == nil, "%s %s [%s]: %v", tc.command, tc.status, tc.code, err)
	}
}
