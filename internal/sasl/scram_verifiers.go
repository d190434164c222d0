package sasl

// ScramMechanisms are the SCRAM mechanisms a store keeps credentials
// for: the -PLUS variants use their base's (RFC 5802 section 6).
var ScramMechanisms = []string{ScramSHA256, ScramSHA1}

// NewScramVerifiers derives the credentials of every ScramMechanisms
// from password, each with a fresh salt and iterations (at least 4096,
// RFC 7677 section 4), keyed by mechanism: what an in-memory store keeps
// beside, or instead of, the password.
func NewScramVerifiers(password string, iterations int) (map[string]ScramCredentials, error) {
	out := make(map[string]ScramCredentials, len(ScramMechanisms))
	for _, mech := range ScramMechanisms {
		creds, err := NewScramCredentials(mech, password, nil, iterations)
		if err != nil {
			return nil, err
		}
		out[mech] = creds
	}
	return out, nil
}
