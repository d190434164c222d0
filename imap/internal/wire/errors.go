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
	// ErrLineTooLong reports a command or response, literals read into
	// memory included and streamed literals not, longer than
	// Limits.MaxLine (RFC 7162 section 4 asks servers to accept at least
	// 8192 octets).
	ErrLineTooLong = errors.New("imap: line too long")
	// ErrLiteralTooLarge reports a literal longer than Limits.MaxLiteral.
	ErrLiteralTooLarge = errors.New("imap: literal too large")
	// ErrTooDeep reports parenthesized lists nested deeper than
	// Limits.MaxDepth.
	ErrTooDeep = errors.New("imap: lists nested too deeply")
	// ErrTooManyRanges reports sequence sets whose ranges, summed over
	// one command, exceed Limits.MaxSeqRanges.
	ErrTooManyRanges = errors.New("imap: too many sequence ranges")
)

// LiteralError reports a literal refused after its header was read, with
// the header: whoever reads commands needs it to answer. A synchronizing
// literal's bytes have not been asked for, so the command can be refused
// and the session go on; a non-synchronizing one's are already on their
// way and cannot be told apart from commands (RFC 7888 section 4). Err is
// the limit: ErrLineTooLong for a literal the command's budget cannot
// hold, ErrLiteralTooLarge for one over MaxLiteral.
type LiteralError struct {
	Literal Literal
	Err     error
}

// Error returns the limit's message.
func (e *LiteralError) Error() string { return e.Err.Error() }

// Unwrap returns the limit, for errors.Is.
func (e *LiteralError) Unwrap() error { return e.Err }

// SyntaxError reports input that does not follow the formal syntax of
// RFC 3501 section 9. Offset counts bytes from the start of the line.
type SyntaxError struct {
	Offset int
	Msg    string
}

// Error says where the syntax broke and how.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("imap: syntax error at byte %d: %s", e.Offset, e.Msg)
}
