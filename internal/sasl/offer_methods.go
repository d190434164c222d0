package sasl

import (
	"context"
	"crypto/tls"
)

// ScramStore, ExternalChecker and OAuthBearerChecker are the methods by
// which a protocol package's backend or session enables SCRAM, EXTERNAL
// and OAUTHBEARER (smtp.ScramSession, pop3.ScramBackend, ...): the same
// methods in every package, so that one Use maps them onto an Offer.
type (
	// ScramStore returns stored SCRAM credentials, or ErrUnknownUser.
	ScramStore interface {
		ScramCredentials(ctx context.Context, mech, username string) (ScramCredentials, error)
	}
	// ExternalChecker authenticates a verified TLS client certificate.
	ExternalChecker interface {
		AuthExternal(ctx context.Context, cs *tls.ConnectionState, authzid string) (identity string, err error)
	}
	// OAuthBearerChecker validates an OAuth 2.0 bearer token.
	OAuthBearerChecker interface {
		AuthOAuthBearer(ctx context.Context, req OAuthBearerRequest) (identity string, err error)
	}
)

// Use offers SCRAM, EXTERNAL and OAUTHBEARER for those of ScramStore,
// ExternalChecker and OAuthBearerChecker that v implements, calling its
// methods with ctx, the session's context.
func (o *Offer) Use(ctx context.Context, v any) {
	if s, ok := v.(ScramStore); ok {
		o.Scram = func(mech, user string) (ScramCredentials, error) { return s.ScramCredentials(ctx, mech, user) }
	}
	if e, ok := v.(ExternalChecker); ok {
		o.External = func(cs *tls.ConnectionState, authzid string) (string, error) {
			return e.AuthExternal(ctx, cs, authzid)
		}
	}
	if b, ok := v.(OAuthBearerChecker); ok {
		o.OAuthBearer = func(req OAuthBearerRequest) (string, error) { return b.AuthOAuthBearer(ctx, req) }
	}
}
