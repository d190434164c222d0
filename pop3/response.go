package pop3

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// ResponseCode is an extended response code (RFC 2449 section 8): the
// bracketed word after "-ERR" (or "+OK") that tells software, not people,
// why a command failed. Codes are hierarchical, levels separated by "/".
type ResponseCode string

// The response codes defined for POP3.
const (
	// CodeInUse: the maildrop is locked by another session (RFC 2449
	// 8.1.1); trying again later may succeed.
	CodeInUse ResponseCode = "IN-USE"
	// CodeLoginDelay: the user logged in too recently (RFC 2449 8.1.2).
	CodeLoginDelay ResponseCode = "LOGIN-DELAY"
	// CodeSysTemp: a temporary system problem (RFC 3206 section 4).
	CodeSysTemp ResponseCode = "SYS/TEMP"
	// CodeSysPerm: a permanent system problem that needs an administrator
	// (RFC 3206 section 4).
	CodeSysPerm ResponseCode = "SYS/PERM"
	// CodeAuth: the credentials, or the way they were offered, were refused
	// (RFC 3206 section 5); the user should be asked again.
	CodeAuth ResponseCode = "AUTH"
	// CodeUTF8: the command needs UTF-8 mode, or the maildrop holds UTF-8
	// that the client has not said it can take (RFC 6856 section 5).
	CodeUTF8 ResponseCode = "UTF8"
)

// Response is a POP3 status line (RFC 1939 section 3): "+OK" or "-ERR",
// an optional response code (RFC 2449 section 8) and text.
//
// A *Response is an error. A Backend returns a -ERR one to choose exactly
// what the client sees; the Client returns one for every -ERR, so callers
// reach it with errors.As.
type Response struct {
	OK   bool
	Code ResponseCode
	Text string
}

// ErrResponse returns a -ERR response with a code ("" for none).
func ErrResponse(code ResponseCode, text string) *Response {
	return &Response{Code: code, Text: text}
}

// OKResponse returns a +OK response.
func OKResponse(text string) *Response { return &Response{OK: true, Text: text} }

// Error formats the response as it is sent, without CRLF.
func (r *Response) Error() string {
	var b strings.Builder
	r.format(&b)
	return b.String()
}

// Temporary reports a failure that may pass if the command is tried again
// later: [IN-USE], [LOGIN-DELAY] or [SYS/TEMP] (RFC 2449 8.1, RFC 3206 4).
func (r *Response) Temporary() bool {
	switch r.Code {
	case CodeInUse, CodeLoginDelay, CodeSysTemp:
		return true
	}
	return strings.HasPrefix(string(r.Code), string(CodeSysTemp)+"/")
}

type stringWriter interface {
	WriteString(string) (int, error)
	WriteByte(byte) error
}

// format writes the status line; CR and LF in the text become spaces so a
// text can never inject a second line.
func (r *Response) format(w stringWriter) {
	if r.OK {
		w.WriteString("+OK")
	} else {
		w.WriteString("-ERR")
	}
	if r.Code != "" {
		w.WriteString(" [")
		w.WriteString(string(r.Code))
		w.WriteByte(']')
	}
	if r.Text != "" {
		w.WriteByte(' ')
		for _, c := range []byte(r.Text) {
			if c == '\r' || c == '\n' {
				c = ' '
			}
			w.WriteByte(c)
		}
	}
}

// writeTo writes the status line and CRLF.
func (r *Response) writeTo(w *bufio.Writer) error {
	r.format(w)
	_, err := w.WriteString("\r\n")
	return err
}

// ErrMalformedResponse is wrapped by the errors for a line that is neither
// "+OK" nor "-ERR" (RFC 1939 section 3) or is too long.
var ErrMalformedResponse = errors.New("pop3: malformed response")

// ParseResponse parses one status line without its line end (RFC 1939
// section 3). The status indicator must be upper case as RFC 1939 shows it;
// a response code is recognised only in the RFC 2449 section 8 syntax, so
// a text that merely starts with "[" stays text.
func ParseResponse(line []byte) (*Response, error) {
	var r Response
	var rest []byte
	switch {
	case bytes.HasPrefix(line, []byte("+OK")):
		r.OK, rest = true, line[3:]
	case bytes.HasPrefix(line, []byte("-ERR")):
		rest = line[4:]
	default:
		return nil, fmt.Errorf("%w: %q", ErrMalformedResponse, line)
	}
	if len(rest) > 0 {
		if rest[0] != ' ' {
			return nil, fmt.Errorf("%w: %q", ErrMalformedResponse, line)
		}
		rest = rest[1:]
	}
	if code, text, ok := cutResponseCode(rest); ok {
		r.Code, rest = code, text
	}
	r.Text = string(rest)
	return &r, nil
}

// cutResponseCode splits "[CODE] text" (RFC 2449 section 8: resp-code =
// "[" resp-level *("/" resp-level) "]", resp-level = 1*achar, achar being
// any CHAR but SP, CTL, "/" and "]").
func cutResponseCode(s []byte) (ResponseCode, []byte, bool) {
	if len(s) < 3 || s[0] != '[' {
		return "", s, false
	}
	end := bytes.IndexByte(s, ']')
	if end < 0 {
		return "", s, false
	}
	code := s[1:end]
	for _, level := range bytes.Split(code, []byte("/")) {
		if len(level) == 0 {
			return "", s, false
		}
		for _, c := range level {
			if c <= ' ' || c >= 0x7f {
				return "", s, false
			}
		}
	}
	rest := s[end+1:]
	if len(rest) > 0 {
		if rest[0] != ' ' {
			return "", s, false
		}
		rest = rest[1:]
	}
	return ResponseCode(code), rest, true
}
