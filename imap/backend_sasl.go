package imap

import (
	"context"
	"crypto/tls"
)

// IdentityBackend opens the mail store of an identity that a SASL
// mechanism authenticated without a password passing through Login:
// SCRAM, EXTERNAL and OAUTHBEARER (RFC 3501 section 6.2.2).
// ScramBackend, ExternalBackend and OAuthBearerBackend embed it.
type IdentityBackend interface {
	Backend
	// OpenIdentity returns the User of identity, whom the exchange has
	// authenticated. A *StatusResponse error is sent as it is; any
	// other answers NO [AUTHENTICATIONFAILED] (RFC 5530 section 3).
	OpenIdentity(ctx context.Context, c *Conn, identity string) (User, error)
}

// ScramBackend is a Backend that keeps SCRAM verifiers, which enables
// AUTHENTICATE SCRAM-SHA-256 and SCRAM-SHA-1 (RFC 7677, RFC 5802), and
// over TLS their -PLUS variants where the connection yields a channel
// binding (RFC 5802 section 6, RFC 9266, RFC 5929): the client proves
// that it knows the password without sending it, and the server proves
// it too.
type ScramBackend interface {
	IdentityBackend
	// ScramCredentials returns the stored credentials of username for
	// mech, SCRAM-SHA-256 or SCRAM-SHA-1 (a -PLUS variant uses its
	// base's). For a name it does not know it returns ErrUnknownUser,
	// which keeps unknown names hidden: the exchange goes on with decoy
	// credentials and fails at the proof as a wrong password does (RFC
	// 5802 section 9). A *StatusResponse error is sent as it is.
	ScramCredentials(ctx context.Context, mech, username string) (ScramCredentials, error)
}

// ExternalBackend is a Backend that authenticates TLS client
// certificates, which enables AUTHENTICATE EXTERNAL (RFC 4422 appendix
// A). It is offered only over TLS with a certificate crypto/tls
// verified, so the Server's TLSConfig must ask for one (ClientAuth
// VerifyClientCertIfGiven and ClientCAs).
type ExternalBackend interface {
	IdentityBackend
	// AuthExternal returns the identity of cs's verified certificate
	// (cs.VerifiedChains), acting as authzid when the client asked for
	// one ("" for none); an error refuses it.
	AuthExternal(ctx context.Context, cs *tls.ConnectionState, authzid string) (identity string, err error)
}

// OAuthBearerBackend is a Backend that validates OAuth 2.0 bearer tokens,
// which enables AUTHENTICATE OAUTHBEARER (RFC 7628).
type OAuthBearerBackend interface {
	IdentityBackend
	// AuthOAuthBearer validates req.Token and returns the identity it
	// establishes ("": req.Authzid). An *OAuthBearerError is sent to the
	// client as the RFC 7628 section 3.2.2 error; any other error as
	// {"status":"invalid_token"}.
	AuthOAuthBearer(ctx context.Context, req OAuthBearerRequest) (identity string, err error)
}

// SASLBackend is a Backend that offers SASL mechanisms of its own (RFC
// 3501 section 6.2.2), such as XOAUTH2, besides PLAIN and LOGIN, which
// every Backend gets through Login, and those of ScramBackend,
// ExternalBackend and OAuthBearerBackend. CAPABILITY lists them as AUTH=
// after SCRAM, EXTERNAL and OAUTHBEARER and before PLAIN and LOGIN; a name
// it shares with those is served by Auth.
type SASLBackend interface {
	Backend
	// AuthMechanisms lists the mechanisms to advertise.
	AuthMechanisms() []string
	// Auth starts an exchange for mech. Once the exchange succeeds, the
	// server calls open for the authenticated user's session. The
	// exchange must implement interface{ Identity() string }: the name it
	// returns is the user the session belongs to.
	Auth(ctx context.Context, c *Conn, mech string) (exchange SASLServer, open func() (User, error), err error)
}
