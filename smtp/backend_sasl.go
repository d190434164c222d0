package smtp

import (
	"context"
	"crypto/tls"
)

// ScramSession is a Session that keeps SCRAM verifiers, which enables
// SCRAM-SHA-256 and SCRAM-SHA-1 (RFC 7677, RFC 5802), and over TLS their
// -PLUS variants where the connection yields a channel binding (RFC 5802
// section 6, RFC 9266, RFC 5929): the client proves that it knows the
// password without sending it, and the server proves it too. Once the
// exchange succeeded, Conn.Identity is the user name.
type ScramSession interface {
	Session
	// ScramCredentials returns the stored credentials of username for
	// mech, SCRAM-SHA-256 or SCRAM-SHA-1 (a -PLUS variant uses its
	// base's). For a name it does not know it returns ErrUnknownUser,
	// which keeps unknown names hidden: the exchange goes on with decoy
	// credentials and fails at the proof as a wrong password does (RFC
	// 5802 section 9). A *Reply error is sent as it is.
	ScramCredentials(ctx context.Context, mech, username string) (ScramCredentials, error)
}

// ExternalSession is a Session that authenticates TLS client
// certificates, which enables EXTERNAL (RFC 4422 appendix A). It is
// offered only over TLS with a certificate crypto/tls verified, so the
// Server's TLSConfig must ask for one (ClientAuth VerifyClientCertIfGiven
// and ClientCAs).
type ExternalSession interface {
	Session
	// AuthExternal returns the identity of cs's verified certificate
	// (cs.VerifiedChains), acting as authzid when the client asked for
	// one ("" for none); it becomes Conn.Identity. An error refuses it:
	// a *Reply is sent as it is, any other error gives 535 5.7.8.
	AuthExternal(ctx context.Context, cs *tls.ConnectionState, authzid string) (identity string, err error)
}

// OAuthBearerSession is a Session that validates OAuth 2.0 bearer tokens,
// which enables OAUTHBEARER (RFC 7628).
type OAuthBearerSession interface {
	Session
	// AuthOAuthBearer validates req.Token and returns the identity it
	// establishes ("": req.Authzid), which becomes Conn.Identity. An
	// *OAuthBearerError is sent to the client as the RFC 7628 section
	// 3.2.2 error, any other error as {"status":"invalid_token"}; the
	// exchange then fails with 535 5.7.8.
	AuthOAuthBearer(ctx context.Context, req OAuthBearerRequest) (identity string, err error)
}
