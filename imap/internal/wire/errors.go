package wire

import (
	"errors"
	"fmt"
)

// Limit errors. They are returned, wrapped in a *SyntaxError only when the
// input was also malformed, so callers can test for them with errors.Is and
// answer with the RFC's reply (BAD, or NO [LIMIT] / [TOOBIG]) instead of
// reading unbounded input.
var (
	// ErrLineTooLong reports a line, not counting streamed literals, longer
	// than Limits.MaxLine (RFC 7162 section 4 asks servers to accept at
	// least 8192 octets).
	ErrLineTooLong = errors.New("imap: line too long")
	// ErrLiteralTooLarge reports a literal longer than Limits.MaxLiteral.
	ErrLiteralTooLarge = errors.New("imap: literal too large")
	// ErrTooDeep reports parenthesized lists nested deeper than
	// Limits.MaxDepth.
	ErrTooDeep = errors.New("imap: lists nested too deeply")
)

// SyntaxError reports input that does not follow the formal syntax of
// RFC 3501 section 9. Offset counts bytes from the start of the line.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("imap: syntax error at byte %d: %s", e.Offset, e.Msg)
}
