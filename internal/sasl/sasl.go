// Package sasl holds the SASL mechanisms (RFC 4422) that the SMTP (RFC 4954),
// POP3 (RFC 5034) and IMAP (RFC 3501 6.2.2, RFC 4959) packages share: PLAIN
// (RFC 4616), LOGIN (draft-murchison-sasl-login) and XOAUTH2 on the client
// side, PLAIN and LOGIN on the server side.
//
// The protocol packages re-export these behind their own documented
// interfaces (smtp.SASLClient and friends); the wire encoding (base64, "*"
// to cancel, "=" for an empty initial response) stays with each protocol.
package sasl

import "errors"

// Client is one side of a SASL exchange as a client sees it.
type Client interface {
	// Start names the mechanism and returns the initial response, or nil
	// when the mechanism has none (RFC 4422 section 3.3). A non-nil empty
	// slice is an empty initial response.
	Start() (mech string, initial []byte, err error)
	// Next answers one server challenge.
	Next(challenge []byte) (response []byte, err error)
}

// Server is one side of a SASL exchange as a server sees it.
type Server interface {
	// Next takes the client's latest response (nil before the first one when
	// the client sent no initial response) and returns either the next
	// challenge or done=true once the client is authenticated. A failed
	// authentication is an error.
	Next(response []byte) (challenge []byte, done bool, err error)
}

// Mechanism names as registered with IANA.
const (
	Plain   = "PLAIN"
	Login   = "LOGIN"
	XOAuth2 = "XOAUTH2"
)

// Errors a Server returns for malformed exchanges. Credentials that do not
// match are reported by the authenticator functions, whose error is passed
// through unchanged.
var (
	ErrMalformed  = errors.New("sasl: malformed response")
	ErrUnexpected = errors.New("sasl: unexpected response after the exchange ended")
)
