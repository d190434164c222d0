package servertest

import (
	"context"
	"crypto/tls"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/sasl"
	"github.com/mailwire/mailwire/internal/sasl/sasltest"
	"github.com/mailwire/mailwire/internal/testutil"
)

// The SASL families run a protocol's own Client against its Server, whose
// backend knows alice with the password "pencil" (and SCRAM verifiers of
// it): the Client is the simplest way to run SCRAM, EXTERNAL over a
// client certificate and OAUTHBEARER.

// SASL describes a protocol's Client, C, to the SASL families (most
// fields are its methods, as method expressions), and the server it
// runs EXTERNAL and OAUTHBEARER against.
type SASL[C any] struct {
	// Dial connects to addr; cleartext says that the client may send
	// credentials without TLS.
	Dial func(ctx context.Context, addr string, cleartext bool) (C, error)
	// StartTLS upgrades the connection (STARTTLS, STLS); Close closes it.
	StartTLS func(C, context.Context, *tls.Config) error
	Close    func(C) error
	// Mechanisms returns the SASL mechanisms the server lists now, in
	// its order unless Unordered.
	Mechanisms func(C, context.Context) ([]string, error)
	// Auth runs a mechanism; Login logs in with a password the
	// protocol's own way; LoggedIn reports whether the session is.
	Auth     func(C, context.Context, sasl.Client) error
	Login    func(C, context.Context, string, string) error
	LoggedIn func(C) bool
	// Use fails unless a logged-in session works: it reaches alice's
	// one message or her INBOX. End says goodbye.
	Use, End func(C, context.Context) error

	// The Client's mechanisms: SCRAM (RFC 5802, RFC 7677), EXTERNAL (RFC
	// 4422 appendix A) and OAUTHBEARER (RFC 7628).
	SHA256, SHA1, SHA256Plus, SHA1Plus func(user, pass string) sasl.Client
	External                           func(authzid string) sasl.Client
	OAuthBearer                        func(user, token string) sasl.Client

	// Reply is a nil pointer of the type of the server's refusals
	// ((*imap.StatusResponse)(nil)); AuthFailed matches (Match) the
	// Error of the refusal of a failed login, and Unsupported that of a
	// mechanism the server does not offer.
	Reply                   error
	AuthFailed, Unsupported string
	// Unordered says that Mechanisms come from a set (IMAP's Caps), not
	// in the server's order, and are compared as one.
	Unordered bool

	// CertTokenServer returns a server, not yet serving, for alice with
	// the password "pencil", that offers STARTTLS or STLS with
	// tlsConfig and whose backend adds EXTERNAL (sasltest.CommonName)
	// and OAUTHBEARER for the token "good-token".
	CertTokenServer func(tlsConfig *tls.Config) Servable
}

// session dials addr, after STARTTLS or STLS with cfg unless cfg is nil,
// and closes the client when t ends.
func (d SASL[C]) session(t *testing.T, addr string, cfg *tls.Config) (C, context.Context) {
	ctx := testutil.Context(t)
	c, err := d.Dial(ctx, addr, cfg == nil)
	require.NoError(t, err)
	t.Cleanup(func() { d.Close(c) })
	if cfg != nil {
		require.NoError(t, d.StartTLS(c, ctx, cfg))
	}
	return c, ctx
}

// checkMechanisms requires Mechanisms to be want (in any order if
// Unordered).
func (d SASL[C]) checkMechanisms(t *testing.T, c C, ctx context.Context, want []string) {
	got, err := d.Mechanisms(c, ctx)
	require.NoError(t, err)
	if d.Unordered {
		require.ElementsMatch(t, want, got)
		return
	}
	require.Equal(t, want, got)
}

// refused requires err to be the server's refusal matching want.
func (d SASL[C]) refused(t *testing.T, err error, want string) string {
	t.Helper()
	reply := reflect.New(reflect.TypeOf(d.Reply))
	require.True(t, errors.As(err, reply.Interface()), "%v is not a %T", err, d.Reply)
	got := reply.Elem().Interface().(error).Error()
	require.True(t, Match(want, got), "refused with %q, want %q", got, want)
	return got
}

// SCRAM runs each SCRAM mechanism against the server at addr: the base
// mechanisms in the clear, -PLUS after STARTTLS or STLS over TLS 1.3
// with tls-exporter (RFC 9266), which the client also picks on its own
// when the server lists -PLUS (RFC 5802 section 6); -PLUS is listed only
// over TLS. cfg returns a client configuration that trusts the server.
func SCRAM[C any](t *testing.T, d SASL[C], addr string, cfg func() *tls.Config) {
	for _, tc := range []struct {
		name   string
		tls    bool
		client sasl.Client
	}{
		{"SCRAM-SHA-256 in the clear", false, d.SHA256("alice", "pencil")},
		{"SCRAM-SHA-1 in the clear", false, d.SHA1("alice", "pencil")},
		{"SCRAM-SHA-256-PLUS", true, d.SHA256Plus("alice", "pencil")},
		{"SCRAM-SHA-1-PLUS", true, d.SHA1Plus("alice", "pencil")},
		{"SCRAM-SHA-256 moving to -PLUS", true, d.SHA256("alice", "pencil")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tlsConfig *tls.Config
			want := []string{"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "LOGIN"}
			if tc.tls {
				tlsConfig = cfg()
				tlsConfig.MinVersion = tls.VersionTLS13
				want = []string{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "PLAIN", "LOGIN"}
			}
			c, ctx := d.session(t, addr, tlsConfig)
			d.checkMechanisms(t, c, ctx, want)
			require.NoError(t, d.Auth(c, ctx, tc.client))
			require.True(t, d.LoggedIn(c))
			require.NoError(t, d.Use(c, ctx))
			require.NoError(t, d.End(c, ctx))
		})
	}
	c, ctx := d.session(t, addr, nil)
	require.Error(t, d.Auth(c, ctx, d.SHA256Plus("alice", "pencil")), "no -PLUS without TLS")
}

// SCRAMFailures: a wrong password and an unknown user fail alike, with
// AuthFailed, after the failed-login delay of the server at addr, so
// that names cannot be probed; the session stays logged out and a login
// with the password still works.
func SCRAMFailures[C any](t *testing.T, d SASL[C], addr string, delay time.Duration) {
	var answers []string
	for _, client := range []sasl.Client{d.SHA256("alice", "wrong"), d.SHA1("nobody", "pencil")} {
		c, ctx := d.session(t, addr, nil)
		start := time.Now()
		err := d.Auth(c, ctx, client)
		require.GreaterOrEqual(t, time.Since(start), delay)
		answers = append(answers, d.refused(t, err, d.AuthFailed))
		require.False(t, d.LoggedIn(c))
		require.NoError(t, d.Login(c, ctx, "alice", "pencil"))
		require.NoError(t, d.End(c, ctx))
	}
	require.Equal(t, answers[0], answers[1])
}

// serveCertToken serves d.CertTokenServer until t ends and returns its
// address and TLS configurations.
func (d SASL[C]) serveCertToken(t *testing.T) (string, sasltest.Configs) {
	cfgs, err := sasltest.NewConfigs()
	require.NoError(t, err)
	return Serve(t, d.CertTokenServer(cfgs.Server)), cfgs
}

// External: EXTERNAL is offered, and succeeds, only over TLS with a
// verified client certificate; an authzid the backend does not permit
// fails as a login does, and where it is not offered it is refused as
// Unsupported.
func External[C any](t *testing.T, d SASL[C]) {
	addr, cfgs := d.serveCertToken(t)
	for _, tc := range []struct {
		name    string
		cfg     *tls.Config
		authzid string
		offered bool
		want    string // the refusal; "" for success
	}{
		{"certificate", cfgs.WithCert, "", true, ""},
		{"certificate, own authzid", cfgs.WithCert, "alice", true, ""},
		{"certificate, other authzid", cfgs.WithCert, "bob", true, d.AuthFailed},
		{"no certificate", cfgs.Client, "", false, d.Unsupported},
		{"cleartext", nil, "", false, d.Unsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ctx := d.session(t, addr, tc.cfg)
			mechs, err := d.Mechanisms(c, ctx)
			require.NoError(t, err)
			require.Equal(t, tc.offered, strings.Contains(strings.Join(mechs, " "), "EXTERNAL"))
			err = d.Auth(c, ctx, d.External(tc.authzid))
			if tc.want != "" {
				d.refused(t, err, tc.want)
				return
			}
			require.NoError(t, err)
			require.True(t, d.LoggedIn(c))
			require.NoError(t, d.End(c, ctx))
		})
	}
}

// OAuthBearer: a good token logs in, a bad one is refused with
// AuthFailed (RFC 7628 section 3.2.2). It returns the address of the
// server, for a look at the exchange on the wire.
func OAuthBearer[C any](t *testing.T, d SASL[C]) string {
	addr, cfgs := d.serveCertToken(t)
	c, ctx := d.session(t, addr, cfgs.Client)
	d.refused(t, d.Auth(c, ctx, d.OAuthBearer("alice", "bad-token")), d.AuthFailed)
	require.NoError(t, d.Auth(c, ctx, d.OAuthBearer("alice", "good-token")))
	require.True(t, d.LoggedIn(c))
	require.NoError(t, d.End(c, ctx))
	return addr
}

// CertToken is what a test backend embeds to add EXTERNAL, by the
// client certificate's common name (sasltest.CommonName), and OAUTHBEARER, for
// the token "good-token" (RFC 7628), to its logins; other tokens are
// refused with invalid_token and Scope (RFC 7628 section 3.2.2).
type CertToken struct{ Scope string }

// AuthExternal is the protocols' ExternalBackend method.
func (CertToken) AuthExternal(_ context.Context, cs *tls.ConnectionState, authzid string) (string, error) {
	return sasltest.CommonName(cs, authzid)
}

// AuthOAuthBearer is the protocols' OAuthBearerBackend method.
func (c CertToken) AuthOAuthBearer(_ context.Context, req sasl.OAuthBearerRequest) (string, error) {
	if req.Token != "good-token" {
		return "", &sasl.OAuthBearerError{Status: "invalid_token", Scope: c.Scope}
	}
	return req.Authzid, nil
}
