package sasl

import (
	"crypto/tls"
	"errors"
	"slices"
	"strings"
)

// Offer is what a protocol server can authenticate with on one
// connection. SMTP, POP3 and IMAP fill it from their backend's optional
// interfaces (a nil function offers nothing) and the connection's TLS
// state, advertise Mechanisms (EHLO AUTH, CAPA SASL, CAPABILITY AUTH=)
// and run what Start returns with RunServer, so that the three offer the
// same mechanisms in the same order under the same conditions.
type Offer struct {
	// TLS is the connection's TLS state, nil in cleartext.
	TLS *tls.ConnectionState
	// Certificate is the certificate the server presents, when known
	// (ConfiguredCertificate), for tls-server-end-point.
	Certificate *tls.Certificate

	// Scram looks up SCRAM credentials: SCRAM-SHA-256 and SCRAM-SHA-1
	// (RFC 7677, RFC 5802), with their -PLUS variants where the channel
	// yields a binding (RFC 5802 section 6, RFC 9266, RFC 5929).
	Scram ScramLookup
	// External decides EXTERNAL, offered only over TLS with a verified
	// client certificate (RFC 4422 appendix A).
	External ExternalAuthenticator
	// OAuthBearer validates OAUTHBEARER tokens (RFC 7628).
	OAuthBearer OAuthBearerAuthenticator
	// Own are the backend's own mechanisms, started by StartOwn. A name
	// that is also one of the above is served by StartOwn.
	Own      []string
	StartOwn func(mech string) (Server, error)
	// Password checks the credentials of PLAIN (RFC 4616) and LOGIN;
	// identity is the requested authorization identity, "" for none.
	Password PlainAuthenticator
}

// Mechanisms lists the mechanisms that can run on this connection, each
// once, strongest first: SCRAM-SHA-256-PLUS, SCRAM-SHA-256,
// SCRAM-SHA-1-PLUS, SCRAM-SHA-1, EXTERNAL, OAUTHBEARER, the backend's
// own, PLAIN, LOGIN.
func (o *Offer) Mechanisms() []string {
	var out []string
	add := func(mechs ...string) {
		for _, m := range mechs {
			if !slices.ContainsFunc(out, func(s string) bool { return strings.EqualFold(s, m) }) {
				out = append(out, m)
			}
		}
	}
	if o.Scram != nil {
		plus := len(o.bindings()) > 0
		for _, m := range []string{ScramSHA256Plus, ScramSHA256, ScramSHA1Plus, ScramSHA1} {
			if plus || !strings.HasSuffix(m, "-PLUS") {
				add(m)
			}
		}
	}
	if o.External != nil && o.TLS != nil && len(o.TLS.VerifiedChains) > 0 {
		add(External)
	}
	if o.OAuthBearer != nil {
		add(OAuthBearer)
	}
	add(o.Own...)
	if o.Password != nil {
		add(Plain, Login)
	}
	return out
}

// Start returns the server for mech, named without regard to case (RFC
// 4422 section 3.1), or nil and no error when mech is not among
// Mechanisms. Its Identity, once RunServer succeeded, is the identity
// the client authenticated as; for PLAIN and LOGIN that is the
// authorization identity when the client sent one, else the user name.
func (o *Offer) Start(mech string) (Server, error) {
	named := func(s string) bool { return strings.EqualFold(s, mech) }
	mechs := o.Mechanisms()
	i := slices.IndexFunc(mechs, named)
	if i < 0 {
		return nil, nil
	}
	if j := slices.IndexFunc(o.Own, named); j >= 0 {
		return o.StartOwn(o.Own[j])
	}
	switch mech = mechs[i]; mech {
	case External:
		return NewExternalServer(o.TLS, o.External), nil
	case OAuthBearer:
		return NewOAuthBearerServer(o.OAuthBearer), nil
	case Plain:
		p := &passwordServer{check: o.Password}
		p.Server = NewPlainServer(p.plain)
		return p, nil
	case Login:
		p := &passwordServer{check: o.Password}
		p.Server = NewLoginServer(p.login)
		return p, nil
	}
	return NewScramServer(mech, ScramServerOptions{Lookup: o.Scram, Bindings: o.bindings()})
}

// bindings are the channel bindings the server can check on this
// connection; none means no -PLUS.
func (o *Offer) bindings() []ChannelBinding {
	return ServerChannelBindings(o.TLS, o.Certificate)
}

// passwordServer is PLAIN or LOGIN that remembers whom the password
// authenticated.
type passwordServer struct {
	Server
	check    PlainAuthenticator
	identity string
}

func (p *passwordServer) plain(identity, username, password string) error {
	if err := p.check(identity, username, password); err != nil {
		return err
	}
	p.identity = username
	if identity != "" {
		p.identity = identity
	}
	return nil
}

func (p *passwordServer) login(username, password string) error {
	return p.plain("", username, password)
}

// Identity is the authorization identity once the exchange succeeded.
func (p *passwordServer) Identity() string { return p.identity }

// Refused reports whether err, from RunServer, is a mechanism's verdict
// on what the client sent (a wrong SCRAM proof, a malformed message, no
// client certificate, a refused token), which a server answers as a
// failed login without logging it as a backend error.
func Refused(err error) bool {
	var se *ScramError
	var oe *OAuthBearerError
	return errors.As(err, &se) || errors.As(err, &oe) || errors.Is(err, ErrMalformed) ||
		errors.Is(err, ErrUnexpected) || errors.Is(err, ErrNoClientCertificate)
}

// Identity returns the identity a server authenticated, once RunServer
// succeeded: what its Identity method reports (the servers of this
// package and of Offer.Start have one), or "" for a server without one.
func Identity(s Server) string {
	if id, ok := s.(interface{ Identity() string }); ok {
		return id.Identity()
	}
	return ""
}
