package message

import (
	"errors"
	"fmt"
)

// Default limits. They are generous for real mail and small enough that a
// hostile message cannot exhaust memory or the stack.
const (
	// DefaultMaxHeaderBytes bounds one header section. RFC 5322 section 2.1.1
	// limits lines to 998 octets but not their number; 1 MiB holds the
	// longest Received chains and DKIM signatures seen in practice.
	DefaultMaxHeaderBytes = 1 << 20
	// DefaultMaxHeaderFields bounds the number of fields in one header.
	DefaultMaxHeaderFields = 10000
	// DefaultMaxDepth bounds the nesting of multipart and message/rfc822
	// entities. RFC 2046 and RFC 3501 set no limit; Dovecot's message
	// parser stops at 100 (MESSAGE_PARSER_DEFAULT_MAX_NESTED_MIME_PARTS).
	// 64 is lower because each level is a parenthesised list in an IMAP
	// BODYSTRUCTURE response, and many client parsers recurse per list;
	// real mail (forwards of forwards, signed and encrypted layers) stays
	// well under 20.
	DefaultMaxDepth = 64
	// DefaultMaxParts bounds the number of entities in one message; it is
	// Dovecot's MESSAGE_PARSER_DEFAULT_MAX_TOTAL_MIME_PARTS.
	DefaultMaxParts = 10000
)

// Limits bounds the resources a reader spends on one message. A zero field
// means the default. What a limit does when it is hit depends on the
// caller: Reader.NextPart and ReadHeader fail with a *LimitError, while
// ReadStructure, ReadStructureLimits, ReadHeaderTruncated and a Reader
// with Truncate set cut the message short there (see truncate.go). Body lines need no limit: bodies are streamed in
// chunks and no line is ever held whole in memory.
type Limits struct {
	MaxHeaderBytes  int // bytes in one header section, line ends included
	MaxHeaderFields int // fields in one header section
	MaxDepth        int // nesting of multipart and message/rfc822 entities
	MaxParts        int // entities in one message, the root included
}

func (l Limits) withDefaults() Limits {
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if l.MaxHeaderFields <= 0 {
		l.MaxHeaderFields = DefaultMaxHeaderFields
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxParts <= 0 {
		l.MaxParts = DefaultMaxParts
	}
	return l
}

// ErrLimit is the error that every LimitError matches with errors.Is.
var ErrLimit = errors.New("message: limit exceeded")

// A LimitError reports that a message exceeded one of its Limits.
type LimitError struct {
	Limit string // the Limits field, such as "MaxDepth"
	Max   int    // its value
}

// Error names the limit and its value.
func (e *LimitError) Error() string {
	return fmt.Sprintf("message: %s (%d) exceeded", e.Limit, e.Max)
}

// Is reports whether target is ErrLimit.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }
