// Package sasl holds what the SMTP (RFC 4954), POP3 (RFC 5034) and IMAP
// (RFC 3501 section 6.2.2, RFC 4959) packages share of SASL (RFC 4422):
// the mechanisms and one exchange loop for each side.
//
// Mechanisms: PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login),
// XOAUTH2, SCRAM-SHA-1 and SCRAM-SHA-256 with their -PLUS variants (RFC
// 5802, RFC 7677; channel binding tls-exporter of RFC 9266 and
// tls-server-end-point of RFC 5929), OAUTHBEARER (RFC 7628) and EXTERNAL
// (RFC 4422 appendix A).
//
// RunClient and RunServer drive any mechanism over a ClientTransport or a
// ServerTransport: the protocol package supplies how a command, a
// challenge and a response look on its wire, and the loops do the rest
// (base64, the initial response, "*" to cancel, additional data with
// success, the mutual authentication check). The protocol packages
// re-export Client and Server as type aliases (smtp.SASLClient, ...).
package sasl

import (
	"crypto/tls"
	"errors"
)

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
	// Next takes the client's latest response (nil before the first one
	// when the client sent no initial response) and returns the next
	// challenge, or done=true once the client is authenticated. A
	// non-nil challenge together with done=true is additional data with
	// success (RFC 4422 section 3.6), which RunServer delivers as a last
	// challenge whose response must be empty, since none of SMTP, POP3
	// and IMAP has a field for it. A failed authentication is an error.
	Next(response []byte) (challenge []byte, done bool, err error)
}

// ChannelBinder is a Client that can bind the exchange to the TLS
// channel under it (the SCRAM family, RFC 5802 section 6). RunClient
// calls Bind before Start with the connection's TLS state (nil without
// TLS) and the mechanisms the server offers (nil when unknown), so that
// the mechanism can choose its -PLUS variant or, when the server offers
// none, tell the server it could have bound ("y", downgrade protection).
type ChannelBinder interface {
	Bind(cs *tls.ConnectionState, offered []string)
}

// MutualClient is a Client that authenticates the server too (SCRAM's
// server signature, RFC 5802 section 5). RunClient fails an exchange that
// the server declares successful before Verified reports true.
type MutualClient interface {
	Verified() bool
}

// Mechanism names as registered with IANA.
const (
	Plain       = "PLAIN"
	Login       = "LOGIN"
	XOAuth2     = "XOAUTH2"
	OAuthBearer = "OAUTHBEARER"
	External    = "EXTERNAL"
)

// Errors a Server returns for malformed exchanges. Credentials that do not
// match are reported by the authenticator functions, whose error is passed
// through unchanged.
var (
	ErrMalformed  = errors.New("sasl: malformed response")
	ErrUnexpected = errors.New("sasl: unexpected response after the exchange ended")
)
