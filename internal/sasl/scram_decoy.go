package sasl

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// ErrUnknownUser is what a ScramLookup returns (or wraps) for a user
// name it does not know. The SCRAM server then goes on with decoy
// credentials and fails the exchange at the proof, as it does for a wrong
// password, so that a client cannot tell which names exist from the
// server-first-message: RFC 5802 section 9 lists this guessing of user
// names among the attacks, and the "unknown-user" error of section 7
// would answer it for him.
var ErrUnknownUser = errors.New("sasl: unknown user")

// decoyKey is drawn once per process: the decoy salt of a name stays the
// same across attempts (a real user's salt does not change either) but
// cannot be computed outside the process.
var decoyKey = func() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}()

// decoyCredentials returns credentials for a name that has none: a salt
// derived from the name, the lowest iteration count, and keys no proof
// matches (the client cannot know the random key they come from).
func decoyCredentials(m scramMech, username string) ScramCredentials {
	derive := func(label string) []byte {
		h := hmac.New(sha256.New, decoyKey)
		h.Write([]byte(label + "\x00" + m.base() + "\x00" + username))
		return h.Sum(nil)
	}
	return ScramCredentials{
		Salt:       derive("salt")[:16],
		Iterations: MinScramIterations,
		StoredKey:  derive("stored")[:m.size()],
		ServerKey:  derive("server")[:m.size()],
	}
}
