package sasl

import (
	"encoding/base64"
	"errors"
)

// ServerTransport is what RunServer needs of a protocol server: how SMTP
// (334 replies, RFC 4954 section 4), POP3 ("+ " lines, RFC 5034 section
// 4) and IMAP (continuations, RFC 3501 section 6.2.2) carry challenges
// and responses. RunServer does the base64 coding; the transport frames
// lines, keeps responses out of debug output and reads them within its
// line limit (a line too long is the transport's error, answered the
// protocol's way).
type ServerTransport interface {
	// InitialResponse returns the initial response that came with the
	// command, as sent ("=" for an empty one), and whether there was one.
	InitialResponse() (text string, ok bool)
	// Challenge sends one challenge, in base64 and possibly empty, and
	// returns the client's response line without its line end.
	Challenge(text string) (response string, err error)
}

// Errors RunServer returns besides the transport's and *MechanismError.
var (
	// ErrCancelled: the client sent "*" (RFC 4422 section 3.5). SMTP
	// answers 501 (RFC 4954 section 4), POP3 -ERR (RFC 5034 section 4),
	// IMAP BAD (RFC 3501 section 6.2.2).
	ErrCancelled = errors.New("sasl: the client cancelled the exchange")
	// ErrBadBase64: an initial response or a response was not base64.
	// SMTP answers 501 5.5.2, POP3 -ERR, IMAP BAD (RFC 9051 section
	// 6.2.2).
	ErrBadBase64 = errors.New("sasl: response is not base64")
)

// MechanismError is a failed authentication: the mechanism's error,
// such as bad credentials or a malformed message, which the protocol
// answers with its authentication failure (SMTP 535, POP3 -ERR [AUTH],
// IMAP NO [AUTHENTICATIONFAILED]) after its failed-login delay.
type MechanismError struct{ Err error }

// Error returns the mechanism's error text.
func (e *MechanismError) Error() string { return e.Err.Error() }

// Unwrap returns the mechanism's error, for errors.Is and errors.As.
func (e *MechanismError) Unwrap() error { return e.Err }

// RunServer runs mech over t and returns nil once the client is
// authenticated. Additional data with success goes out as a last
// challenge whose response must be empty (RFC 4422 section 3.6: none of
// the three protocols has a field for it in its success reply).
func RunServer(mech Server, t ServerTransport) error {
	var resp []byte
	if ir, ok := t.InitialResponse(); ok {
		var err error
		if resp, err = decodeResponse(ir); err != nil {
			return err
		}
	}
	for {
		challenge, done, err := mech.Next(resp)
		if err != nil {
			return &MechanismError{err}
		}
		if done && challenge == nil {
			return nil
		}
		line, err := t.Challenge(base64.StdEncoding.EncodeToString(challenge))
		if err != nil {
			return err
		}
		if line == "*" {
			return ErrCancelled
		}
		if resp, err = decodeResponse(line); err != nil {
			return err
		}
		if done {
			if len(resp) != 0 {
				return &MechanismError{ErrUnexpected}
			}
			return nil
		}
	}
}

// decodeResponse decodes one base64 message; "=" is an empty one, as an
// initial response (RFC 4954 section 4, RFC 5034 section 4, RFC 4959
// section 3) and, leniently, as a response.
func decodeResponse(s string) ([]byte, error) {
	if s == "=" {
		return []byte{}, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, ErrBadBase64
	}
	return b, nil
}
