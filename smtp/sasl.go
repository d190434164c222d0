package smtp

import "github.com/mailwire/mailwire/internal/sasl"

// SASLClient is the client side of one SASL exchange (RFC 4422) that
// Client.Auth runs inside the AUTH command (RFC 4954). Implement it for a
// mechanism this package does not provide:
//
//	Start() (mech string, initial []byte, err error)
//	Next(challenge []byte) (response []byte, err error)
//
// Start names the mechanism and returns the initial response, or nil when
// the mechanism sends none (RFC 4422 3.3); a non-nil empty slice is an
// empty initial response, sent as "=" (RFC 4954 4). Next answers one
// decoded server challenge; an error makes Auth cancel the exchange with
// "*" (RFC 4954 4).
type SASLClient = sasl.Client

// SASLServer runs the server side of one SASL exchange (RFC 4422):
//
//	Next(response []byte) (challenge []byte, done bool, err error)
//
// Next takes the client's latest response (nil when the client sent no
// initial response) and returns the next challenge, or done once the
// client is authenticated; a challenge returned with done is additional
// data with success, which SMTP sends as a last 334 (RFC 4954 4). An
// error fails the authentication.
type SASLServer = sasl.Server

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

// OAuthBearerAuth returns an OAUTHBEARER client (RFC 7628) for an OAuth
// 2.0 bearer token; username is sent as the authorization identity.
func OAuthBearerAuth(username, token string) SASLClient {
	return sasl.NewOAuthBearerClient(sasl.OAuthBearerOptions{Username: username, Token: token})
}

// ExternalAuth returns an EXTERNAL client (RFC 4422 appendix A), which
// asks the server to use the TLS client certificate; an empty authzid
// acts as the certificate's identity.
func ExternalAuth(authzid string) SASLClient { return sasl.NewExternalClient(authzid) }

// ScramSHA256Auth returns a SCRAM-SHA-256 client (RFC 7677). Over TLS it
// switches to SCRAM-SHA-256-PLUS when the server offers it, binding the
// exchange to the channel (RFC 5802 6, RFC 9266); otherwise it tells the
// server it could have, so that a removed -PLUS is noticed. The server
// must prove that it knows the password, or Auth fails.
func ScramSHA256Auth(username, password string) SASLClient {
	return sasl.NewScramClient(sasl.ScramSHA256, sasl.ScramClientOptions{Username: username, Password: password})
}

// ScramSHA256PlusAuth returns a SCRAM-SHA-256-PLUS client, which insists on
// channel binding: it fails without TLS.
func ScramSHA256PlusAuth(username, password string) SASLClient {
	return sasl.NewScramClient(sasl.ScramSHA256Plus, sasl.ScramClientOptions{Username: username, Password: password})
}

// ScramSHA1Auth returns a SCRAM-SHA-1 client (RFC 5802), which binds like
// ScramSHA256Auth. Prefer SCRAM-SHA-256 where the server has it.
func ScramSHA1Auth(username, password string) SASLClient {
	return sasl.NewScramClient(sasl.ScramSHA1, sasl.ScramClientOptions{Username: username, Password: password})
}

// ScramSHA1PlusAuth returns a SCRAM-SHA-1-PLUS client, which insists on
// channel binding.
func ScramSHA1PlusAuth(username, password string) SASLClient {
	return sasl.NewScramClient(sasl.ScramSHA1Plus, sasl.ScramClientOptions{Username: username, Password: password})
}

// The types of ScramSession and OAuthBearerSession are internal/sasl's,
// shared with the pop3 and imap packages.
type (
	// ScramCredentials is what a ScramSession keeps for a user instead
	// of the password (RFC 5802 section 3): salt, iteration count,
	// StoredKey and ServerKey.
	ScramCredentials = sasl.ScramCredentials
	// OAuthBearerRequest is what an OAUTHBEARER client sent (RFC 7628
	// section 3.1): authzid, bearer token, host and port.
	OAuthBearerRequest = sasl.OAuthBearerRequest
	// OAuthBearerError chooses the JSON status an OAUTHBEARER client is
	// told (RFC 7628 section 3.2.2).
	OAuthBearerError = sasl.OAuthBearerError
)

// ErrUnknownUser is what ScramSession.ScramCredentials returns for a name
// it does not know.
var ErrUnknownUser = sasl.ErrUnknownUser

// NewScramCredentials derives mech's ScramCredentials from password; a
// nil salt is replaced by 16 random octets, and iterations must be at
// least 4096 (RFC 7677 section 4).
func NewScramCredentials(mech, password string, salt []byte, iterations int) (ScramCredentials, error) {
	return sasl.NewScramCredentials(mech, password, salt, iterations)
}
