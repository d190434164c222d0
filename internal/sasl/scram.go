package sasl

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"strings"
)

// SCRAM mechanism names (RFC 5802 section 4, RFC 7677 section 2). The
// -PLUS variants bind the exchange to the TLS channel.
const (
	ScramSHA1       = "SCRAM-SHA-1"
	ScramSHA1Plus   = "SCRAM-SHA-1-PLUS"
	ScramSHA256     = "SCRAM-SHA-256"
	ScramSHA256Plus = "SCRAM-SHA-256-PLUS"
)

// MinScramIterations is the lowest iteration count a client accepts and
// NewScramCredentials derives: RFC 5802 section 5.1 ("i") and RFC 7677
// section 4 ask servers for at least 4096, so that stolen verifiers are
// costly to crack and a false server cannot make them cheap.
const MinScramIterations = 4096

// DefaultScramMaxIterations bounds the iteration count a client accepts
// (ScramClientOptions.MaxIterations), so that a hostile server cannot make
// the client spin on PBKDF2 (2^20 rounds of SHA-256 take about 0.16 s
// on one current core).
const DefaultScramMaxIterations = 1 << 20

// maxScramMessage bounds every SCRAM message either side parses; real ones
// are a few hundred octets (a name, a nonce, a salt, a proof).
const maxScramMessage = 4096

// scramNonceRandom is the number of random octets in a nonce: 18 octets
// are 24 base64 characters, which are all "printable" (RFC 5802 section
// 7) and carry 144 bits (section 5.1 asks for a random, unique nonce).
const scramNonceRandom = 18

// ScramError is a server-error-value (RFC 5802 section 7): why a SCRAM
// exchange failed. A Server returns it; a Client returns it when the
// server sent "e=".
type ScramError struct{ Reason string }

// Error names why the exchange failed (RFC 5802 section 7, server-error).
func (e *ScramError) Error() string { return "sasl: SCRAM failed: " + e.Reason }

// Server error values of RFC 5802 section 7.
const (
	ScramInvalidEncoding          = "invalid-encoding"
	ScramExtensionsNotSupported   = "extensions-not-supported"
	ScramInvalidProof             = "invalid-proof"
	ScramChannelBindingsDontMatch = "channel-bindings-dont-match"
	ScramServerDoesSupportCB      = "server-does-support-channel-binding"
	ScramCBNotSupported           = "channel-binding-not-supported"
	ScramUnsupportedCBType        = "unsupported-channel-binding-type"
	ScramUnknownUser              = "unknown-user"
	ScramInvalidUsernameEncoding  = "invalid-username-encoding"
	ScramNoResources              = "no-resources"
	ScramOtherError               = "other-error"
)

func scramErr(reason string) error { return &ScramError{Reason: reason} }

// scramMech is one SCRAM family member: its name, its hash and whether it
// binds the channel.
type scramMech struct {
	name    string
	newHash func() hash.Hash
	plus    bool
}

// lookupScram finds a SCRAM mechanism by name; SASL names are matched
// without regard to case (RFC 4422 section 3.1).
func lookupScram(name string) (scramMech, error) {
	switch strings.ToUpper(name) {
	case ScramSHA1:
		return scramMech{ScramSHA1, sha1.New, false}, nil
	case ScramSHA1Plus:
		return scramMech{ScramSHA1Plus, sha1.New, true}, nil
	case ScramSHA256:
		return scramMech{ScramSHA256, sha256.New, false}, nil
	case ScramSHA256Plus:
		return scramMech{ScramSHA256Plus, sha256.New, true}, nil
	}
	return scramMech{}, fmt.Errorf("sasl: %q is not a SCRAM mechanism", name)
}

// base is the name without -PLUS: both variants share credentials.
func (m scramMech) base() string { return strings.TrimSuffix(m.name, "-PLUS") }

// withPlus is the -PLUS variant of m's hash, or m without it.
func (m scramMech) withPlus(plus bool) scramMech {
	if plus {
		m.name, m.plus = m.base()+"-PLUS", true
	} else {
		m.name, m.plus = m.base(), false
	}
	return m
}

func (m scramMech) size() int { return m.newHash().Size() }

func (m scramMech) hmac(key []byte, msg string) []byte {
	h := hmac.New(m.newHash, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

func (m scramMech) sum(b []byte) []byte {
	h := m.newHash()
	h.Write(b)
	return h.Sum(nil)
}

// saltedPassword is Hi(Normalize(password), salt, i) of RFC 5802 section
// 2.2 and 3: PBKDF2 with HMAC and one block, over the SASLprep'd password.
func (m scramMech) saltedPassword(password string, salt []byte, iter int) ([]byte, error) {
	return pbkdf2.Key(m.newHash, scramPassword(password), salt, iter, m.size())
}

// keys derives StoredKey and ServerKey from a salted password (RFC 5802
// section 3).
func (m scramMech) keys(salted []byte) (clientKey, storedKey, serverKey []byte) {
	clientKey = m.hmac(salted, "Client Key")
	return clientKey, m.sum(clientKey), m.hmac(salted, "Server Key")
}

// ScramCredentials is what a SCRAM server stores for a user instead of the
// password (RFC 5802 section 3): StoredKey = H(HMAC(SaltedPassword,
// "Client Key")) and ServerKey = HMAC(SaltedPassword, "Server Key"). They
// verify a client's proof but cannot be replayed as a password.
type ScramCredentials struct {
	Salt       []byte
	Iterations int
	StoredKey  []byte
	ServerKey  []byte
}

// valid checks credentials a lookup returned for m.
func (c ScramCredentials) valid(m scramMech) bool {
	return len(c.Salt) > 0 && c.Iterations > 0 && c.Iterations <= 999999999 &&
		len(c.StoredKey) == m.size() && len(c.ServerKey) == m.size()
}

// NewScramCredentials derives the stored credentials of mech (any SCRAM
// name; -PLUS shares its base's keys) from password. A nil salt is
// replaced by 16 random octets. iterations below MinScramIterations are
// refused, since clients refuse them too.
func NewScramCredentials(mech, password string, salt []byte, iterations int) (ScramCredentials, error) {
	m, err := lookupScram(mech)
	if err != nil {
		return ScramCredentials{}, err
	}
	if iterations < MinScramIterations || iterations > 999999999 {
		return ScramCredentials{}, fmt.Errorf("sasl: %d SCRAM iterations, need %d to 999999999 (RFC 7677 section 4)", iterations, MinScramIterations)
	}
	if salt == nil {
		salt = make([]byte, 16)
		rand.Read(salt)
	}
	salted, err := m.saltedPassword(password, salt, iterations)
	if err != nil {
		return ScramCredentials{}, err
	}
	_, stored, server := m.keys(salted)
	return ScramCredentials{
		Salt:       append([]byte(nil), salt...),
		Iterations: iterations,
		StoredKey:  stored,
		ServerKey:  server,
	}, nil
}

// newScramNonce draws a fresh nonce (RFC 5802 section 5.1, "r").
func newScramNonce() string {
	b := make([]byte, scramNonceRandom)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// xorBytes returns a XOR b, which have the same length.
func xorBytes(a, b []byte) []byte {
	out := make([]byte, len(a))
	for i := range a {
		out[i] = a[i] ^ b[i]
	}
	return out
}
