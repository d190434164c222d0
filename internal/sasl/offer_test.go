package sasl

import (
	"crypto/tls"
	"errors"
	"testing"

	"github.com/mailwire/mailwire/internal/sasl/sasltest"
	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/stretchr/testify/require"
)

// serverState returns the server's TLS state of a handshake at version,
// with a verified client certificate when withCert is set.
func serverState(t *testing.T, version uint16, withCert bool) *tls.ConnectionState {
	pair, err := testcert.New()
	require.NoError(t, err)
	cert, pool, err := sasltest.ClientCertificate("alice")
	require.NoError(t, err)
	scfg, ccfg := pair.ServerConfig(), pair.ClientConfig()
	scfg.ClientAuth, scfg.ClientCAs = tls.VerifyClientCertIfGiven, pool
	if withCert {
		ccfg.Certificates = []tls.Certificate{cert}
	}
	_, server := tlsPair(t, version, scfg, ccfg)
	cs := server.ConnectionState()
	return &cs
}

// TestOffer_Mechanisms lists what can run on a connection, strongest
// first, each name once: -PLUS only where the channel binds (RFC 5802
// section 6, RFC 9266), EXTERNAL only with a verified client certificate
// (RFC 4422 appendix A).
func TestOffer_Mechanisms(t *testing.T) {
	lookup := func(string, string) (ScramCredentials, error) { return ScramCredentials{}, ErrUnknownUser }
	external := func(*tls.ConnectionState, string) (string, error) { return "alice", nil }
	bearer := func(OAuthBearerRequest) (string, error) { return "alice", nil }
	password := func(string, string, string) error { return nil }
	all := Offer{Scram: lookup, External: external, OAuthBearer: bearer, Own: []string{"X-TOKEN", "plain"}, Password: password}
	withTLS := func(o Offer, cs *tls.ConnectionState) *Offer { o.TLS = cs; return &o }
	for _, tc := range []struct {
		name  string
		offer *Offer
		want  []string
	}{
		{"nothing", &Offer{}, nil},
		{"cleartext", &all, []string{"SCRAM-SHA-256", "SCRAM-SHA-1", "OAUTHBEARER", "X-TOKEN", "plain", "LOGIN"}},
		{"TLS 1.3, no client certificate", withTLS(all, serverState(t, tls.VersionTLS13, false)),
			[]string{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "OAUTHBEARER", "X-TOKEN", "plain", "LOGIN"}},
		{"TLS 1.2 without the certificate: no binding", withTLS(all, serverState(t, tls.VersionTLS12, true)),
			[]string{"SCRAM-SHA-256", "SCRAM-SHA-1", "EXTERNAL", "OAUTHBEARER", "X-TOKEN", "plain", "LOGIN"}},
		{"EXTERNAL with a client certificate", &Offer{External: external, TLS: serverState(t, tls.VersionTLS13, true)}, []string{"EXTERNAL"}},
		{"password only", &Offer{Password: password}, []string{"PLAIN", "LOGIN"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.offer.Mechanisms())
		})
	}
}

// TestOffer_Start starts mechanisms by name without regard to case (RFC
// 4422 section 3.1), nothing that is not offered, the backend's own where
// it lists the name, and records whom PLAIN and LOGIN authenticated (RFC
// 4616 section 2: the authzid when sent).
func TestOffer_Start(t *testing.T) {
	errOwn := errors.New("own")
	var checked []string
	o := &Offer{
		Scram:    func(string, string) (ScramCredentials, error) { return ScramCredentials{}, ErrUnknownUser },
		Own:      []string{"X-Token"},
		StartOwn: func(mech string) (Server, error) { return nil, errors.Join(errOwn, errors.New(mech)) },
		Password: func(identity, user, pass string) error {
			checked = append(checked, identity+"/"+user+"/"+pass)
			if pass != "secret" {
				return errOwn
			}
			return nil
		},
	}
	for _, tc := range []struct {
		mech, ir string
		identity string // "" for a failure
	}{
		{"plain", "\x00alice\x00secret", "alice"},
		{"PLAIN", "admin\x00alice\x00secret", "admin"},
		{"PLAIN", "\x00alice\x00wrong", ""},
	} {
		s, err := o.Start(tc.mech)
		require.NoError(t, err)
		_, done, err := s.Next([]byte(tc.ir))
		require.Equal(t, tc.identity != "", done, tc.ir)
		require.Equal(t, tc.identity == "", errors.Is(err, errOwn), tc.ir)
		require.Equal(t, tc.identity, Identity(s))
	}
	login, err := o.Start("login")
	require.NoError(t, err)
	for _, resp := range []string{"bob", "secret"} {
		_, _, err = login.Next([]byte(resp))
		require.NoError(t, err)
	}
	require.Equal(t, "bob", Identity(login))
	require.Equal(t, []string{"/alice/secret", "admin/alice/secret", "/alice/wrong", "/bob/secret"}, checked)

	_, err = o.Start("x-token")
	require.ErrorIs(t, err, errOwn)
	require.ErrorContains(t, err, "X-Token", "the backend's own spelling")
	for _, mech := range []string{"SCRAM-SHA-256-PLUS", "EXTERNAL", "OAUTHBEARER", "CRAM-MD5"} {
		s, err := o.Start(mech)
		require.NoError(t, err)
		require.Nil(t, s, mech)
	}
	s, err := o.Start("scram-sha-1")
	require.NoError(t, err)
	require.NotNil(t, s)
	require.Equal(t, "", Identity(s), "before the exchange")
}

// TestRefused tells a mechanism's verdict from a backend's error.
func TestRefused(t *testing.T) {
	for err, want := range map[error]bool{
		&MechanismError{scramErr(ScramInvalidProof)}:        true,
		&MechanismError{&OAuthBearerError{Status: "x"}}:     true,
		&MechanismError{ErrMalformed}:                       true,
		&MechanismError{ErrNoClientCertificate}:             true,
		&MechanismError{errors.New("database unreachable")}: false,
	} {
		require.Equal(t, want, Refused(err), "%v", err)
	}
}
