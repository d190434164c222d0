package smtp

import "github.com/mailwire/mailwire/internal/sasl"

// ScramSession is a Session with the method
//
//	ScramCredentials(ctx context.Context, mech, username string) (ScramCredentials, error)
//
// that keeps SCRAM verifiers, which enables
// AUTH SCRAM-SHA-256 and SCRAM-SHA-1 (RFC 7677, RFC 5802) and, over TLS
// with a channel binding, their -PLUS variants (RFC 5802 section 6, RFC
// 9266, RFC 5929): neither side sends the password, both prove they know
// it. ScramCredentials returns username's credentials for mech (a -PLUS
// variant asks for its base), or ErrUnknownUser for a name it does not
// know: the exchange then goes on with decoy credentials and fails at
// the proof as a wrong password does (RFC 5802 section 9). A *Reply
// error is sent as it is.
type ScramSession interface {
	Session
	sasl.ScramStore
}

// ExternalSession is a Session with the method
//
//	AuthExternal(ctx context.Context, cs *tls.ConnectionState, authzid string) (identity string, err error)
//
// that authenticates TLS client
// certificates, which enables AUTH EXTERNAL (RFC 4422 appendix A), offered
// only over TLS with a certificate crypto/tls verified: the Server's
// TLSConfig must ask for one (ClientAuth VerifyClientCertIfGiven and
// ClientCAs). AuthExternal returns the identity of cs.VerifiedChains,
// acting as authzid when the client named one; an error gives 535 5.7.8.
type ExternalSession interface {
	Session
	sasl.ExternalChecker
}

// OAuthBearerSession is a Session with the method
//
//	AuthOAuthBearer(ctx context.Context, req OAuthBearerRequest) (identity string, err error)
//
// that validates OAuth 2.0 bearer tokens,
// which enables AUTH OAUTHBEARER (RFC 7628). AuthOAuthBearer returns the
// identity req.Token establishes ("" for req.Authzid). The client is told
// an *OAuthBearerError's status, any other error's as invalid_token (RFC
// 7628 section 3.2.2), and then gets 535 5.7.8.
type OAuthBearerSession interface {
	Session
	sasl.OAuthBearerChecker
}
