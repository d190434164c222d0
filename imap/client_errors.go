package imap

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// ErrClosed is returned by the calls on a Client after Close or Logout,
// and wrapped by the error of a command cut short by the end of the
// connection.
var ErrClosed = errors.New("imap: connection closed")

// ErrClientState is wrapped by the errors of calls that the connection's
// state does not allow (RFC 3501 section 3 and the state table); nothing
// was sent.
var ErrClientState = errors.New("imap: command not allowed now")

// ErrInvalidArgument is wrapped by the errors of calls whose argument would
// break the command syntax: a flag, keyword or other name that is not an
// atom (RFC 3501 section 9), a mailbox name with a control character (RFC
// 6855 section 3), an empty sequence set, a TLS configuration that cannot
// verify the server. Nothing was sent, unless a synchronizing literal
// before the bad argument had already gone: then the connection is closed,
// since half a command cannot be taken back.
var ErrInvalidArgument = errors.New("imap: invalid argument")

// ErrInsecureAuth is returned by Login and Authenticate on a cleartext
// connection to a host that is not on a loopback address, unless
// Options.InsecureAuth is set (RFC 3501 section 11.1: a password needs
// STARTTLS or another protection against snooping); nothing was sent.
var ErrInsecureAuth = errors.New("imap: refusing to send credentials over a cleartext connection")

// ErrMalformedResponse is wrapped by the errors for what the server sent
// that does not follow the formal syntax (RFC 3501 section 9) or exceeds
// the client's limits (Options.MaxLine, MaxLiteral, MaxDepth). The client
// is closed: its later calls return the same error.
var ErrMalformedResponse = errors.New("imap: malformed response")

// kindError is a sentinel error together with the error that made it:
// errors.Is finds both, and the message names both once, as "imap:
// invalid argument: value is not a valid atom".
type kindError struct{ kind, cause error }

// Error names the sentinel, then the cause without its "imap: ".
func (e *kindError) Error() string {
	return e.kind.Error() + ": " + strings.TrimPrefix(e.cause.Error(), "imap: ")
}

// Unwrap returns the sentinel and the cause, for errors.Is and errors.As.
func (e *kindError) Unwrap() []error { return []error{e.kind, e.cause} }

// asMalformed marks err, which ended the reading goroutine or a command,
// with ErrMalformedResponse when it says that the server broke the syntax
// or a limit, rather than that the connection failed.
func asMalformed(err error) error {
	var syntax *wire.SyntaxError
	switch {
	case errors.As(err, &syntax), errors.Is(err, wire.ErrLineTooLong), errors.Is(err, wire.ErrLiteralTooLarge),
		errors.Is(err, wire.ErrTooDeep), errors.Is(err, wire.ErrTooManyRanges), errors.Is(err, ErrBadSeqSet):
		return &kindError{ErrMalformedResponse, err}
	}
	return err
}

// checkMailbox refuses mailbox names, or LIST patterns, with characters
// RFC 6855 section 3 forbids in mailbox names: controls (C0, DEL and C1)
// and the Unicode line and paragraph separators.
func checkMailbox(names ...string) error {
	for _, name := range names {
		for _, r := range name {
			if r < 0x20 || r >= 0x7f && r <= 0x9f || r == '\u2028' || r == '\u2029' {
				return fmt.Errorf("%w: mailbox name %q", ErrInvalidArgument, name)
			}
		}
	}
	return nil
}

// checkSet refuses an empty sequence set, which the grammar has no form
// for (RFC 3501 section 9, sequence-set).
func checkSet(set SeqSet) error {
	if set.IsEmpty() {
		return fmt.Errorf("%w: empty sequence set", ErrInvalidArgument)
	}
	return nil
}
