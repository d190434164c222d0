package sasl

import (
	"encoding/base64"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// scramVector is one of the RFC example exchanges, with the nonces and
// salt the RFC used.
type scramVector struct {
	mech                     string
	cnonce, snonce, salt     string
	clientFirst, serverFirst string
	clientFinal, serverFinal string
	username, password       string
	iterations               int
}

// RFC 5802 section 5 (SCRAM-SHA-1) and RFC 7677 section 3 (SCRAM-SHA-256),
// user "user", password "pencil".
var scramVectors = []scramVector{
	{
		mech: ScramSHA1, username: "user", password: "pencil", iterations: 4096,
		cnonce: "fyko+d2lbbFgONRv9qkxdawL", snonce: "3rfcNHYJY1ZVvWVs7j", salt: "QSXCR+Q6sek8bf92",
		clientFirst: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
		serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
		clientFinal: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
		serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
	},
	{
		mech: ScramSHA256, username: "user", password: "pencil", iterations: 4096,
		cnonce: "rOprNGfwEbeRWgbNEkqO", snonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", salt: "W22ZaJ0SNY7soEsUEjb6gQ==",
		clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
		serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
		clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
	},
}

// vectorCreds derives the vector's stored credentials from its password.
func vectorCreds(t *testing.T, v scramVector) ScramCredentials {
	salt, err := base64.StdEncoding.DecodeString(v.salt)
	require.NoError(t, err)
	creds, err := NewScramCredentials(v.mech, v.password, salt, v.iterations)
	require.NoError(t, err)
	return creds
}

// vectorServer is a server that knows the vector's user, with the RFC's
// server nonce.
func vectorServer(t *testing.T, v scramVector, opts ScramServerOptions) *scramServer {
	creds := vectorCreds(t, v)
	if opts.Lookup == nil {
		opts.Lookup = func(mech, user string) (ScramCredentials, error) {
			if user != v.username {
				return ScramCredentials{}, errBad
			}
			return creds, nil
		}
	}
	s, err := NewScramServer(v.mech, opts)
	require.NoError(t, err)
	ss := s.(*scramServer)
	ss.nonce = v.snonce
	return ss
}

// TestScram_RFC5802_5_RFC7677_3_Examples reproduces the example exchanges
// octet for octet, on the client and on the server side.
func TestScram_RFC5802_5_RFC7677_3_Examples(t *testing.T) {
	for _, v := range scramVectors {
		t.Run(v.mech, func(t *testing.T) {
			c := NewScramClient(v.mech, ScramClientOptions{Username: v.username, Password: v.password}).(*scramClient)
			c.nonce = v.cnonce
			mech, first, err := c.Start()
			require.NoError(t, err)
			require.Equal(t, v.mech, mech)
			require.Equal(t, v.clientFirst, string(first))
			final, err := c.Next([]byte(v.serverFirst))
			require.NoError(t, err)
			require.Equal(t, v.clientFinal, string(final))
			require.False(t, c.Verified())
			empty, err := c.Next([]byte(v.serverFinal))
			require.NoError(t, err)
			require.Equal(t, []byte{}, empty)
			require.True(t, c.Verified())

			s := vectorServer(t, v, ScramServerOptions{})
			ch, done, err := s.Next(nil)
			require.NoError(t, err)
			require.False(t, done)
			require.Equal(t, []byte{}, ch, "client-first: an empty challenge without an initial response")
			ch, done, err = s.Next([]byte(v.clientFirst))
			require.NoError(t, err)
			require.False(t, done)
			require.Equal(t, v.serverFirst, string(ch))
			ch, done, err = s.Next([]byte(v.clientFinal))
			require.NoError(t, err)
			require.True(t, done, "success, with additional data")
			require.Equal(t, v.serverFinal, string(ch))
			require.Equal(t, "user", s.Identity())
			_, _, err = s.Next([]byte{})
			require.ErrorIs(t, err, ErrUnexpected)
		})
	}
}

// TestScramCredentials_RFC5802_3 checks the derivation rules: the stored
// keys verify, the iteration count has a floor, -PLUS shares the keys.
func TestScramCredentials_RFC5802_3(t *testing.T) {
	salt := []byte("0123456789abcdef")
	a, err := NewScramCredentials(ScramSHA256, "pencil", salt, 4096)
	require.NoError(t, err)
	b, err := NewScramCredentials(ScramSHA256Plus, "pencil", salt, 4096)
	require.NoError(t, err)
	require.Equal(t, a, b)
	require.Len(t, a.StoredKey, 32)
	_, err = NewScramCredentials(ScramSHA1, "pencil", salt, 4095)
	require.Error(t, err, "below MinScramIterations")
	_, err = NewScramCredentials("SCRAM-MD5", "pencil", salt, 4096)
	require.Error(t, err)
	r1, err := NewScramCredentials(ScramSHA1, "pencil", nil, 4096)
	require.NoError(t, err)
	r2, err := NewScramCredentials(ScramSHA1, "pencil", nil, 4096)
	require.NoError(t, err)
	require.Len(t, r1.Salt, 16)
	require.NotEqual(t, r1.Salt, r2.Salt, "a nil salt is drawn at random")
}

// TestScram_RoundTrip_RandomNonces runs both sides with fresh nonces,
// an authzid and a username that needs escaping (RFC 5802 section 5.1).
func TestScram_RoundTrip_RandomNonces(t *testing.T) {
	creds, err := NewScramCredentials(ScramSHA256, "p\u00e4ss w,rd", nil, 4096)
	require.NoError(t, err)
	var gotUser string
	s, err := NewScramServer(ScramSHA256, ScramServerOptions{
		Lookup: func(mech, user string) (ScramCredentials, error) {
			gotUser = user
			require.Equal(t, ScramSHA256, mech)
			return creds, nil
		},
		Authorize: func(user, authzid string) error {
			if user == "ad,m=in" && authzid == "bob" {
				return nil
			}
			return errBad
		},
	})
	require.NoError(t, err)
	c := NewScramClient(ScramSHA256, ScramClientOptions{Username: "ad,m=in", Password: "p\u00e4ss w,rd", Authzid: "bob"})
	require.NoError(t, runPair(t, c, s))
	require.Equal(t, "ad,m=in", gotUser)
	require.Equal(t, "bob", s.(*scramServer).Identity())
	require.True(t, c.(*scramClient).Verified())
}

// TestScram_WrongPassword fails with invalid-proof (RFC 5802 section 7).
func TestScram_WrongPassword(t *testing.T) {
	v := scramVectors[1]
	s := vectorServer(t, v, ScramServerOptions{})
	c := NewScramClient(v.mech, ScramClientOptions{Username: "user", Password: "pencil2"})
	err := runPair(t, c, s)
	var se *ScramError
	require.True(t, errors.As(err, &se), "%v", err)
	require.Equal(t, ScramInvalidProof, se.Reason)
}

// runPair runs client and server against each other without a wire,
// following RunClient's and RunServer's rules, and returns the server's
// error.
func runPair(t *testing.T, c Client, s Server) error {
	t.Helper()
	_, resp, err := c.Start()
	require.NoError(t, err)
	for i := 0; i < 8; i++ {
		ch, done, err := s.Next(resp)
		if err != nil {
			return err
		}
		if done && ch == nil {
			return nil
		}
		resp, err = c.Next(ch)
		if err != nil {
			return err
		}
		if done {
			require.Empty(t, resp)
			return nil
		}
	}
	t.Fatal("exchange did not end")
	return nil
}
