package sasl

import (
	"crypto/tls"
	"crypto/x509"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestExternal_RFC4422_A_1 checks the exchange shapes of EXTERNAL: the
// authzid as the initial response, or after an empty challenge, and the
// refusals.
func TestExternal_RFC4422_A_1(t *testing.T) {
	verified := &tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{{}}}}
	var gotAuthzid string
	auth := func(cs *tls.ConnectionState, authzid string) (string, error) {
		gotAuthzid = authzid
		if authzid == "" {
			return "cert-user", nil
		}
		if authzid == "fred@example.com" {
			return "", errBad // "Cannot assume requested authorization identity"
		}
		return authzid, nil
	}
	mech, ir, err := NewExternalClient("").Start()
	require.NoError(t, err)
	require.Equal(t, "EXTERNAL", mech)
	require.Equal(t, []byte{}, ir, "an empty authzid is an empty initial response, not none")
	_, _, err = NewExternalClient("a\x00b").Start()
	require.Error(t, err)
	_, err = NewExternalClient("").Next(nil)
	require.ErrorIs(t, err, ErrUnexpected)

	s := NewExternalServer(verified, auth)
	ch, done, err := s.Next(nil)
	require.NoError(t, err)
	require.False(t, done)
	require.Equal(t, []byte{}, ch, "no initial response: an empty challenge (A.2, first example)")
	_, done, err = s.Next([]byte{})
	require.NoError(t, err)
	require.True(t, done)
	require.Equal(t, "cert-user", s.(*externalServer).Identity())
	_, _, err = s.Next([]byte{})
	require.ErrorIs(t, err, ErrUnexpected)

	_, _, err = NewExternalServer(verified, auth).Next([]byte("fred@example.com"))
	require.ErrorIs(t, err, errBad, "A.2, second example")
	require.Equal(t, "fred@example.com", gotAuthzid)

	for _, tc := range []struct {
		name string
		cs   *tls.ConnectionState
		resp []byte
		want error
	}{
		{"no TLS", nil, []byte{}, ErrNoClientCertificate},
		{"no verified chain", &tls.ConnectionState{PeerCertificates: []*x509.Certificate{{}}}, []byte{}, ErrNoClientCertificate},
		{"NUL in the authzid", verified, []byte("a\x00"), ErrMalformed},
		{"invalid UTF-8", verified, []byte("\xff"), ErrMalformed},
	} {
		_, _, err := NewExternalServer(tc.cs, auth).Next(tc.resp)
		require.ErrorIs(t, err, tc.want, tc.name)
	}
	_, _, err = NewExternalServer(verified, func(*tls.ConnectionState, string) (string, error) { return "", nil }).Next([]byte{})
	require.Error(t, err, "no identity")
	s = NewExternalServer(verified, auth)
	s.Next(nil)
	_, _, err = s.Next(nil)
	require.ErrorIs(t, err, ErrMalformed)
}
