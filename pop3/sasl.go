package pop3

import "github.com/mailwire/mailwire/internal/sasl"

// SASLClient is the client side of one SASL exchange (RFC 4422) that
// Client.Auth runs inside the AUTH command (RFC 5034). Implement it for a
// mechanism this package does not provide.
type SASLClient interface {
	// Start names the mechanism and returns the initial response, or nil
	// when the mechanism sends none (RFC 4422 3.3). A non-nil empty slice
	// is an empty initial response, sent as "=" (RFC 5034 4).
	Start() (mech string, initial []byte, err error)
	// Next answers one decoded server challenge. An error makes Auth
	// cancel the exchange with "*" (RFC 5034 4).
	Next(challenge []byte) (response []byte, err error)
}

// PlainAuth returns a PLAIN client (RFC 4616): identity is the
// authorization identity, usually "" (act as username).
func PlainAuth(identity, username, password string) SASLClient {
	return sasl.NewPlainClient(identity, username, password)
}

// LoginAuth returns a LOGIN client (draft-murchison-sasl-login), for
// servers that offer no PLAIN.
func LoginAuth(username, password string) SASLClient {
	return sasl.NewLoginClient(username, password)
}

// XOAuth2Auth returns an XOAUTH2 client for an OAuth 2.0 bearer token, as
// Gmail and Microsoft 365 accept.
func XOAuth2Auth(username, token string) SASLClient {
	return sasl.NewXOAuth2Client(username, token)
}
