package pop3

import "io"

// topReader passes a message through up to the end of its header and then
// bodyLines lines of body (RFC 1939 section 7, TOP). The header ends at the
// first empty line; a line ends at LF, so stored messages with bare LF line
// ends are cut at the same place as CRLF ones.
type topReader struct {
	r         io.Reader
	bodyLines int
	inBody    bool // the empty line ending the header was passed
	lineStart bool // the last octet passed ended a line
	lineEmpty bool // the current line holds at most a CR so far
	done      bool
}

func (t *topReader) Read(p []byte) (int, error) {
	if t.done {
		return 0, io.EOF
	}
	if t.inBody && t.bodyLines == 0 {
		t.done = true
		return 0, io.EOF
	}
	n, err := t.r.Read(p)
	for i := 0; i < n; i++ {
		c := p[i]
		if t.lineStart {
			t.lineStart, t.lineEmpty = false, true
		}
		switch {
		case c == '\n':
			t.lineStart = true
			switch {
			case !t.inBody && t.lineEmpty:
				t.inBody = true
			case t.inBody:
				t.bodyLines--
			}
			if t.inBody && t.bodyLines == 0 {
				t.done = true
				return i + 1, nil
			}
		case c != '\r':
			t.lineEmpty = false
		}
	}
	return n, err
}
