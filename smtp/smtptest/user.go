package smtptest

import "github.com/mailwire/mailwire/smtp"

// user is what WithUser keeps of one user: the password, for PLAIN and
// LOGIN, and the SCRAM verifiers derived from it (RFC 5802 section 3).
type user struct {
	password string
	scram    map[string]smtp.ScramCredentials // by mechanism
}

// scramMechanisms are the mechanisms whose verifiers newUser derives; a
// -PLUS variant uses its base's.
var scramMechanisms = []string{"SCRAM-SHA-256", "SCRAM-SHA-1"}

// newUser derives the verifiers with a fresh salt and 4096 iterations,
// the lowest RFC 7677 section 4 allows, since tests create many users.
func newUser(password string) user {
	u := user{password: password, scram: make(map[string]smtp.ScramCredentials, len(scramMechanisms))}
	for _, mech := range scramMechanisms {
		creds, err := smtp.NewScramCredentials(mech, password, nil, 4096)
		if err != nil {
			panic(err) // only for a mechanism or an iteration count unknown to SCRAM
		}
		u.scram[mech] = creds
	}
	return u
}
