package sasl

import (
	"context"
	"crypto/tls"
)

// The methods a protocol's optional backend or session interfaces
// declare for the mechanisms that need no password check of their own
// (smtp.ScramSession, pop3.ScramBackend ...). Their types are this
// package's through aliases, so one method set serves every protocol.
type (
	// ScramStore keeps SCRAM verifiers (RFC 5802 section 3).
	ScramStore interface {
		ScramCredentials(ctx context.Context, mech, username string) (ScramCredentials, error)
	}
	// ExternalChecker authenticates TLS client certificates (RFC 4422
	// appendix A).
	ExternalChecker interface {
		AuthExternal(ctx context.Context, cs *tls.ConnectionState, authzid string) (identity string, err error)
	}
	// OAuthBearerChecker validates OAuth 2.0 bearer tokens (RFC 7628).
	OAuthBearerChecker interface {
		AuthOAuthBearer(ctx context.Context, req OAuthBearerRequest) (identity string, err error)
	}
)

// UseMethods sets Scram, External and OAuthBearer from those of v's
// methods it has (ScramStore, ExternalChecker, OAuthBearerChecker),
// called with ctx, the session's context. A field v has no method for is
// left as it was.
func (o *Offer) UseMethods(ctx context.Context, v any) {
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
