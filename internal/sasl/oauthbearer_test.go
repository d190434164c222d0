package sasl

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The RFC 7628 section 4 examples, as base64 on the wire (line breaks
// of the RFC removed).
const (
	rfc7628IMAPSuccess = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB"
	rfc7628SMTPSuccess = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9NTg3AWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB"
	rfc7628FailedIR    = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9AQE="
	rfc7628FailedJSON  = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0="
	rfc7628SMTPFailIR  = "bix1c2VyPXNvbWV1c2VyQGV4YW1wbGUuY29tLAFhdXRoPUJlYXJlciB2RjlkZnQ0cW1UYzJOdmIzUmxja0JoZEhSaGRtbHpkR0V1WTI5dENnPT0BAQ=="
	rfc7628Token       = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="
)

func unb64(t *testing.T, s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

// TestOAuthBearerClient_RFC7628_4_1 reproduces the initial responses of
// the IMAP and SMTP examples.
func TestOAuthBearerClient_RFC7628_4_1(t *testing.T) {
	for _, tc := range []struct {
		port int
		want string
	}{{143, rfc7628IMAPSuccess}, {587, rfc7628SMTPSuccess}} {
		c := NewOAuthBearerClient(OAuthBearerOptions{Username: "user@example.com", Token: rfc7628Token, Host: "server.example.com", Port: tc.port})
		mech, ir, err := c.Start()
		require.NoError(t, err)
		require.Equal(t, OAuthBearer, mech)
		require.Equal(t, tc.want, base64.StdEncoding.EncodeToString(ir))
	}
	_, ir, err := NewOAuthBearerClient(OAuthBearerOptions{Token: "t0k"}).Start()
	require.NoError(t, err)
	require.Equal(t, "n,,\x01auth=Bearer t0k\x01\x01", string(ir), "no authzid, host or port")
	for _, bad := range []OAuthBearerOptions{{Token: ""}, {Token: "a b"}, {Token: "t\x01"}, {Token: "t", Host: "h\x01"}, {Token: "t", Username: "u\x01"}} {
		_, _, err := NewOAuthBearerClient(bad).Start()
		require.Error(t, err, "%+v", bad)
	}
	c := NewOAuthBearerClient(OAuthBearerOptions{Token: "t"})
	resp, err := c.Next(unb64(t, rfc7628FailedJSON))
	require.NoError(t, err)
	require.Equal(t, "\x01", string(resp), "the dummy response (section 3.2.3)")
	_, err = c.Next(nil)
	require.ErrorIs(t, err, ErrUnexpected)
}

// TestOAuthBearerServer_RFC7628_4 plays the section 4 examples against
// the server.
func TestOAuthBearerServer_RFC7628_4(t *testing.T) {
	var got OAuthBearerRequest
	auth := func(req OAuthBearerRequest) (string, error) {
		got = req
		if req.Token == rfc7628Token {
			return "", nil
		}
		return "", errBad
	}
	t.Run("4.1 success", func(t *testing.T) {
		s := NewOAuthBearerServer(auth)
		_, done, err := s.Next(unb64(t, rfc7628IMAPSuccess))
		require.NoError(t, err)
		require.True(t, done)
		require.Equal(t, OAuthBearerRequest{Authzid: "user@example.com", Token: rfc7628Token, Host: "server.example.com", Port: 143}, got)
		require.Equal(t, "user@example.com", s.(*oauthBearerServer).Identity())
	})
	t.Run("4.3 failure: error challenge, dummy response", func(t *testing.T) {
		s := NewOAuthBearerServer(nil) // an empty token never reaches the authenticator
		ch, done, err := s.Next(unb64(t, rfc7628FailedIR))
		require.NoError(t, err)
		require.False(t, done)
		require.JSONEq(t, `{"status":"invalid_token"}`, string(ch))
		_, done, err = s.Next([]byte{1})
		require.False(t, done)
		var oe *OAuthBearerError
		require.True(t, errors.As(err, &oe))
		require.Equal(t, "invalid_token", oe.Status)
	})
	t.Run("4.3 failure with the backend's scope", func(t *testing.T) {
		want := &OAuthBearerError{Status: "invalid_token", Scope: "example_scope", OpenIDConfiguration: "https://example.com/.well-known/openid-configuration"}
		s := NewOAuthBearerServer(func(OAuthBearerRequest) (string, error) { return "", want })
		ir := strings.Replace(string(unb64(t, rfc7628FailedIR)), "auth=", "auth=Bearer expired", 1)
		ch, _, err := s.Next([]byte(ir))
		require.NoError(t, err)
		require.Equal(t, rfc7628FailedJSON, base64.StdEncoding.EncodeToString(ch), "the example's JSON octet for octet")
		_, _, err = s.Next([]byte("not the dummy"))
		require.ErrorIs(t, err, ErrMalformed)
	})
	t.Run("4.4 SMTP: user= is not an authzid", func(t *testing.T) {
		// The example's GS2 header "n,user=...," is not gs2-header syntax
		// (RFC 5801 section 4 allows "a=" only); it fails as malformed.
		_, _, err := NewOAuthBearerServer(auth).Next(unb64(t, rfc7628SMTPFailIR))
		require.ErrorIs(t, err, ErrMalformed)
	})
}

// TestOAuthBearerServer_Syntax_RFC7628_3_1 feeds malformed client
// responses; unknown keys are ignored and the scheme is case-insensitive.
func TestOAuthBearerServer_Syntax_RFC7628_3_1(t *testing.T) {
	for _, tc := range []struct {
		name, msg string
		token     string // "" for a malformed message
	}{
		{"plain", "n,,\x01auth=Bearer abc\x01\x01", "abc"},
		{"scheme in lower case", "n,,\x01auth=bearer abc\x01\x01", "abc"},
		{"y flag", "y,,\x01auth=BEARER abc\x01\x01", "abc"},
		{"unknown key ignored", "n,,\x01foo=bar baz\x01auth=Bearer abc\x01\x01", "abc"},
		{"port", "n,,\x01port=993\x01auth=Bearer abc\x01\x01", "abc"},
		{"port with a leading zero", "n,,\x01port=0993\x01auth=Bearer abc\x01\x01", ""},
		{"port too big", "n,,\x01port=65536\x01auth=Bearer abc\x01\x01", ""},
		{"p flag: no channel binding here", "p=tls-exporter,,\x01auth=Bearer abc\x01\x01", ""},
		{"no kvsep after gs2", "n,,auth=Bearer abc\x01\x01", ""},
		{"no final kvsep", "n,,\x01auth=Bearer abc\x01", ""},
		{"key with a digit", "n,,\x01k1=v\x01auth=Bearer abc\x01\x01", ""},
		{"pair without =", "n,,\x01auth\x01\x01", ""},
		{"value with NUL", "n,,\x01auth=Bearer a\x00\x01\x01", ""},
		{"dummy response first", "\x01", ""},
		{"at the size limit", "n,,\x01auth=Bearer " + strings.Repeat("a", maxOAuthBearerMessage-len("n,,\x01auth=Bearer \x01\x01")) + "\x01\x01", strings.Repeat("a", maxOAuthBearerMessage-len("n,,\x01auth=Bearer \x01\x01"))},
		{"one past the size limit", "n,,\x01auth=Bearer " + strings.Repeat("a", maxOAuthBearerMessage-len("n,,\x01auth=Bearer \x01\x01")+1) + "\x01\x01", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			s := NewOAuthBearerServer(func(req OAuthBearerRequest) (string, error) { got = req.Token; return "id", nil })
			_, done, err := s.Next([]byte(tc.msg))
			if tc.token == "" {
				require.ErrorIs(t, err, ErrMalformed)
				return
			}
			require.NoError(t, err)
			require.True(t, done)
			require.Equal(t, tc.token, got)
			require.Equal(t, "id", s.(*oauthBearerServer).Identity())
		})
	}
	s := NewOAuthBearerServer(nil)
	ch, done, err := s.Next(nil)
	require.NoError(t, err)
	require.False(t, done)
	require.Equal(t, []byte{}, ch, "without an initial response: an empty challenge")
}

// TestOAuthBearer_RunBoth_RFC7628_3_2_3: over the loops, a rejected token
// costs one error challenge and the dummy response, then fails.
func TestOAuthBearer_RunBoth_RFC7628_3_2_3(t *testing.T) {
	s := NewOAuthBearerServer(func(OAuthBearerRequest) (string, error) { return "", errBad })
	_, ir, err := NewOAuthBearerClient(OAuthBearerOptions{Token: "t"}).Start()
	require.NoError(t, err)
	f := &fakeServerTransport{ir: base64.StdEncoding.EncodeToString(ir), hasIR: true, responses: []string{"AQ=="}}
	err = RunServer(s, f)
	isMech(errBad)(t, err)
	require.Equal(t, []string{base64.StdEncoding.EncodeToString([]byte(`{"status":"invalid_token"}`))}, f.challenges)
}
