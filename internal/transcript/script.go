package transcript

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Markers: a line's whole text that is an event, not octets.
const (
	// Closed is the marker of a side that closes the connection.
	Closed = "<closed>"
	// StartTLS is the marker, on the client's side, of the TLS handshake.
	StartTLS = "<starttls>"
)

// Forms of an exchange line, the character after the side (and digit).
const (
	FormLine    = ':' // text and CRLF
	FormRaw     = '+' // text alone
	FormPattern = '~' // a regexp the whole line matches
	FormCheck   = '=' // the Side of a check line
)

// Script is one parsed transcript file.
type Script struct {
	File    string   // the file's name, for messages
	Options []Option // the "@" lines, in order
	Steps   []Step   // the exchange and check lines, in order
}

// Option is one "@ name argument" line: a setting of the server a server
// transcript runs against.
type Option struct {
	Line int    // the line's number in its file, from 1
	Name string // the first word after "@ "
	Arg  string // the rest, without the space before it, escapes decoded
}

// Errorf returns an *Error at the option's line, for a Start callback
// that does not know or cannot apply the option.
func (o Option) Errorf(format string, args ...any) error {
	return &Error{Line: o.Line, Msg: "@ " + o.Name + ": " + fmt.Sprintf(format, args...)}
}

// Step is one exchange or check line of a transcript.
type Step struct {
	Line int    // the line's number in its file, from 1
	Side byte   // 'C', 'S', or FormCheck for a "=" line
	Conn int    // the connection, 1 to 9 (1 for checks)
	Form byte   // FormLine, FormRaw or FormPattern (FormCheck for checks)
	Text string // as written after the form and one space
}

// label is how messages name the step's kind: "S:", "C2+", "=".
func (s Step) label() string {
	if s.Side == FormCheck {
		return "="
	}
	if s.Conn == 1 {
		return string([]byte{s.Side, s.Form})
	}
	return fmt.Sprintf("%c%d%c", s.Side, s.Conn, s.Form)
}

// Error is a transcript that cannot be read or a mismatch on the wire; its
// message starts with file:line, as a compiler's does.
type Error struct {
	File string
	Line int // 0 when the error is not about one line
	Msg  string
}

// Error places the mismatch in its transcript file and line.
func (e *Error) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// ParseFile reads and parses a transcript file.
func ParseFile(path string) (*Script, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse parses a transcript; name is used in messages.
func Parse(name string, data []byte) (*Script, error) {
	sc := &Script{File: name}
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		fail := func(format string, args ...any) error {
			return &Error{File: name, Line: i + 1, Msg: fmt.Sprintf(format, args...)}
		}
		line = strings.TrimSuffix(line, "\r")
		switch {
		case line == "" || line[0] == '#':
		case line[0] == '@':
			if len(sc.Steps) > 0 {
				return nil, fail("options come before the first exchange line")
			}
			f := strings.Fields(line[1:])
			if len(f) == 0 || !strings.HasPrefix(line, "@ ") {
				return nil, fail(`cannot read %q: want "@ name argument"`, line)
			}
			_, arg, _ := strings.Cut(strings.TrimPrefix(line, "@ "), " ")
			sc.Options = append(sc.Options, Option{Line: i + 1, Name: f[0], Arg: Unescape(arg)})
		default:
			st, err := parseStep(line)
			if err != nil {
				return nil, fail("%s", err)
			}
			st.Line = i + 1
			sc.Steps = append(sc.Steps, st)
		}
	}
	return sc, nil
}

// parseStep reads a C, S or = line.
func parseStep(line string) (Step, error) {
	if text, ok := strings.CutPrefix(line, "= "); ok {
		return Step{Side: FormCheck, Conn: 1, Form: FormCheck, Text: text}, nil
	}
	st := Step{Side: line[0], Conn: 1}
	rest := line[1:]
	if rest != "" && '1' <= rest[0] && rest[0] <= '9' {
		st.Conn, rest = int(rest[0]-'0'), rest[1:]
	}
	if st.Side != 'C' && st.Side != 'S' || rest == "" || !strings.ContainsRune(":+~", rune(rest[0])) {
		return st, fmt.Errorf(`cannot read %q: want C: or S: (or C+, S~, C2:, "= check")`, line)
	}
	st.Form, st.Text = rest[0], strings.TrimPrefix(rest[1:], " ")
	if st.Form != FormLine && st.Text == "" {
		return st, fmt.Errorf("%s line without text", st.label())
	}
	if st.Form == FormLine && st.Text == StartTLS && st.Side != 'C' {
		return st, fmt.Errorf("%s on a server line: the client starts TLS", StartTLS)
	}
	if st.Form == FormPattern {
		if _, err := regexp.Compile(st.Text); err != nil {
			return st, fmt.Errorf("%s bad pattern: %v", st.label(), err)
		}
	} else if _, err := splitPlaceholders(st.Text); err != nil {
		return st, err
	}
	return st, nil
}

// Sent returns what side ('C' or 'S') sends on connection conn, as one
// stream: the text of its lines with CRLF and of its raw lines, escapes
// decoded, placeholders as written, markers and patterns left out. Fuzz
// targets seed their corpus with it.
func (sc *Script) Sent(side byte, conn int) []byte {
	var b []byte
	for _, st := range sc.Steps {
		if st.Side != side || st.Conn != conn || st.Form == FormPattern || isMarker(st) {
			continue
		}
		b = append(b, Unescape(st.Text)...)
		if st.Form == FormLine {
			b = append(b, "\r\n"...)
		}
	}
	return b
}

func isMarker(st Step) bool {
	return st.Form == FormLine && (st.Text == Closed || st.Text == StartTLS)
}
