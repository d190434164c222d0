package pop3

import (
	"context"
	"crypto/tls"

	"github.com/mailwire/mailwire/internal/sasl"
)

// IdentityBackend opens the maildrop of an identity that a SASL mechanism
// authenticated without a password passing through Login: SCRAM,
// EXTERNAL and OAUTHBEARER. ScramBackend, ExternalBackend and
// OAuthBearerBackend embed it.
type IdentityBackend interface {
	Backend
	// OpenIdentity returns the maildrop of identity, whom the exchange
	// has authenticated. A *Response error is sent as it is; any other
	// is logged and the client sees -ERR [AUTH].
	OpenIdentity(ctx context.Context, c *Conn, identity string) (Maildrop, error)
}

// ScramBackend is a Backend that keeps SCRAM verifiers, which enables
// SCRAM-SHA-256 and SCRAM-SHA-1 (RFC 7677, RFC 5802), and over TLS their
// -PLUS variants where the connection yields a channel binding (RFC 5802
// section 6, RFC 9266, RFC 5929): the client proves that it knows the
// password without sending it, and the server proves it too.
type ScramBackend interface {
	IdentityBackend
	// ScramCredentials returns the stored credentials of username for
	// mech, SCRAM-SHA-256 or SCRAM-SHA-1 (a -PLUS variant uses its
	// base's). For a name it does not know it returns ErrUnknownUser,
	// which keeps unknown names hidden: the exchange goes on with decoy
	// credentials and fails at the proof as a wrong password does (RFC
	// 5802 section 9). A *Response error is sent as it is.
	ScramCredentials(ctx context.Context, mech, username string) (ScramCredentials, error)
}

// ExternalBackend is a Backend that authenticates TLS client
// certificates, which enables EXTERNAL (RFC 4422 appendix A). It is
// offered only over TLS with a certificate crypto/tls verified, so the
// Server's TLSConfig must ask for one (ClientAuth VerifyClientCertIfGiven
// and ClientCAs).
type ExternalBackend interface {
	IdentityBackend
	// AuthExternal returns the identity of cs's verified certificate
	// (cs.VerifiedChains), acting as authzid when the client asked for
	// one ("" for none); an error refuses it.
	AuthExternal(ctx context.Context, cs *tls.ConnectionState, authzid string) (identity string, err error)
}

// OAuthBearerBackend is a Backend that validates OAuth 2.0 bearer tokens,
// which enables OAUTHBEARER (RFC 7628).
type OAuthBearerBackend interface {
	IdentityBackend
	// AuthOAuthBearer validates req.Token and returns the identity it
	// establishes ("": req.Authzid). An *OAuthBearerError is sent to the
	// client as the RFC 7628 section 3.2.2 error; any other error as
	// {"status":"invalid_token"}.
	AuthOAuthBearer(ctx context.Context, req OAuthBearerRequest) (identity string, err error)
}

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
