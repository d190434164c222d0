package imap

import "github.com/mailwire/mailwire/internal/sasl"

// ScramCredentials is what a ScramBackend stores for a user instead of
// the password (RFC 5802 section 3): salt, iteration count, StoredKey and
// ServerKey.
type ScramCredentials = sasl.ScramCredentials

// NewScramCredentials derives the ScramCredentials of mech from password;
// a nil salt is replaced by 16 random octets, and iterations must be at
// least 4096 (RFC 7677 section 4).
func NewScramCredentials(mech, password string, salt []byte, iterations int) (ScramCredentials, error) {
	return sasl.NewScramCredentials(mech, password, salt, iterations)
}

// ErrUnknownUser is what ScramCredentials returns for a name it does not
// know; see ScramBackend.
var ErrUnknownUser = sasl.ErrUnknownUser

// OAuthBearerRequest is what an OAUTHBEARER client sent (RFC 7628 section
// 3.1): the authzid, the bearer token and the host and port it named.
type OAuthBearerRequest = sasl.OAuthBearerRequest

// OAuthBearerError is the error an OAuthBearerBackend returns to choose
// the JSON status the client is told (RFC 7628 section 3.2.2).
type OAuthBearerError = sasl.OAuthBearerError
