package sasl

import (
	"context"
	"crypto/tls"
)

// The methods of the protocol packages' ScramBackend, ExternalBackend and
// OAuthBearerBackend, which SMTP, POP3 and IMAP declare alike (only the
// Conn and the mail store they open differ, and those are not in these
// methods), so that one UseBackend serves the three.
type (
	scramBackend interface {
		ScramCredentials(ctx context.Context, mech, username string) (ScramCredentials, error)
	}
	externalBackend interface {
		AuthExternal(ctx context.Context, cs *tls.ConnectionState, authzid string) (identity string, err error)
	}
	oauthBearerBackend interface {
		AuthOAuthBearer(ctx context.Context, req OAuthBearerRequest) (identity string, err error)
	}
)

// UseBackend sets Scram, External and OAuthBearer from the methods b has
// of ScramBackend (RFC 5802, RFC 7677), ExternalBackend (RFC 4422
// appendix A) and OAuthBearerBackend (RFC 7628), each called with the
// connection's ctx. The protocol package passes b only once it knows b
// can open the identity these mechanisms authenticate (its
// IdentityBackend).
func (o *Offer) UseBackend(ctx context.Context, b any) {
	if sb, ok := b.(scramBackend); ok {
		o.Scram = func(mech, user string) (ScramCredentials, error) { return sb.ScramCredentials(ctx, mech, user) }
	}
	if eb, ok := b.(externalBackend); ok {
		o.External = func(cs *tls.ConnectionState, authzid string) (string, error) {
			return eb.AuthExternal(ctx, cs, authzid)
		}
	}
	if ob, ok := b.(oauthBearerBackend); ok {
		o.OAuthBearer = func(req OAuthBearerRequest) (string, error) { return ob.AuthOAuthBearer(ctx, req) }
	}
}

// ScramMechanisms are the SCRAM mechanisms a store keeps credentials
// for: the -PLUS variants use their base's (RFC 5802 section 6).
var ScramMechanisms = []string{ScramSHA256, ScramSHA1}

// NewScramVerifiers derives the credentials of every ScramMechanisms
// from password, each with a fresh salt and iterations (at least 4096,
// RFC 7677 section 4), keyed by mechanism: what an in-memory store keeps
// beside, or instead of, the password.
func NewScramVerifiers(password string, iterations int) (map[string]ScramCredentials, error) {
	out := make(map[string]ScramCredentials, len(ScramMechanisms))
	for _, mech := range ScramMechanisms {
		creds, err := NewScramCredentials(mech, password, nil, iterations)
		if err != nil {
			return nil, err
		}
		out[mech] = creds
	}
	return out, nil
}
