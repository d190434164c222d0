package sasl

import (
	"context"
	"crypto/tls"
	"testing"

	"github.com/stretchr/testify/require"
)

type (
	scramOnly   struct{}
	checkerOnly struct{}
)

func (scramOnly) ScramCredentials(context.Context, string, string) (ScramCredentials, error) {
	return ScramCredentials{}, ErrUnknownUser
}

func (checkerOnly) AuthExternal(context.Context, *tls.ConnectionState, string) (string, error) {
	return "alice", nil
}

func (checkerOnly) AuthOAuthBearer(context.Context, OAuthBearerRequest) (string, error) {
	return "alice", nil
}

// TestOffer_UseMethods: each method a value has enables its mechanism,
// and only that one.
func TestOffer_UseMethods(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		want []string
	}{
		{"none", struct{}{}, nil},
		{"SCRAM (RFC 5802)", scramOnly{}, []string{ScramSHA256, ScramSHA1}},
		{"OAUTHBEARER (RFC 7628); EXTERNAL needs a certificate", checkerOnly{}, []string{OAuthBearer}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o Offer
			o.UseMethods(context.Background(), tc.v)
			require.Equal(t, tc.want, o.Mechanisms())
		})
	}
}

// TestLineTransport counts the challenges Exchange carried, which tells
// a bad initial response from a bad response (RFC 4954 section 4).
func TestLineTransport(t *testing.T) {
	var sent []string
	lt := &LineTransport{Initial: "=", HasInitial: true, Exchange: func(c string) (string, error) {
		sent = append(sent, c)
		return "not base64", nil
	}}
	ir, ok := lt.InitialResponse()
	require.True(t, ok)
	require.Equal(t, "=", ir)
	require.ErrorIs(t, RunServer(NewLoginServer(func(string, string) error { return nil }), lt), ErrBadBase64)
	require.Equal(t, 1, lt.Challenges)
	require.Len(t, sent, 1)
}
