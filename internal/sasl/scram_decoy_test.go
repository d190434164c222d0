package sasl

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestScram_RFC5802_9_UnknownUserLooksLikeWrongPassword: a name the
// lookup does not know gets a server-first-message of the same form as a
// real user's, with a salt that stays the same from one attempt to the
// next, and the exchange fails at the proof with the error a wrong
// password gets.
func TestScram_RFC5802_9_UnknownUserLooksLikeWrongPassword(t *testing.T) {
	known, err := NewScramCredentials(ScramSHA256, "right", nil, 4096)
	require.NoError(t, err)
	lookup := func(mech, user string) (ScramCredentials, error) {
		if user == "alice" {
			return known, nil
		}
		return ScramCredentials{}, fmt.Errorf("backend: %q: %w", user, ErrUnknownUser)
	}
	// attempt runs a whole exchange with a password and returns the
	// server-first-message and the server's error at the proof.
	attempt := func(user, password string) (string, error) {
		s, err := NewScramServer(ScramSHA256, ScramServerOptions{Lookup: lookup})
		require.NoError(t, err)
		c := NewScramClient(ScramSHA256, ScramClientOptions{Username: user, Password: password})
		_, first, err := c.Start()
		require.NoError(t, err)
		serverFirst, done, err := s.Next(first)
		require.NoError(t, err, "the first step must not reveal whether %q exists", user)
		require.False(t, done)
		final, err := c.Next(serverFirst)
		require.NoError(t, err)
		_, _, err = s.Next(final)
		return string(serverFirst), err
	}

	_, wrong := attempt("alice", "wrong")
	first1, unknown := attempt("mallory", "anything")
	first2, _ := attempt("mallory", "other")
	require.Error(t, wrong)
	require.Error(t, unknown)
	require.Equal(t, wrong.Error(), unknown.Error(), "the same failure for both")
	var se *ScramError
	require.True(t, errors.As(unknown, &se))
	require.Equal(t, ScramInvalidProof, se.Reason)

	salt := func(first string) string {
		for _, attr := range strings.Split(first, ",") {
			if strings.HasPrefix(attr, "s=") {
				return attr
			}
		}
		return ""
	}
	require.NotEmpty(t, salt(first1))
	require.Equal(t, salt(first1), salt(first2), "a decoy salt does not change between attempts")
	require.Contains(t, first1, ",i=4096")
	_, third := attempt("alice", "right")
	require.NoError(t, third, "a real login still works")
}
