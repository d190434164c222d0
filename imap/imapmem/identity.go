package imapmem

import (
	"context"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/sasl"
)

// Backend is an imap.ScramBackend: AUTHENTICATE SCRAM-SHA-256 and
// SCRAM-SHA-1, and their -PLUS variants over TLS, work for every user
// AddUser created (RFC 7677, RFC 5802).
var _ imap.ScramBackend = (*Backend)(nil)

// scramIterations is the iteration count of the verifiers AddUser
// derives: the lowest RFC 7677 section 4 allows, since tests create many
// users.
const scramIterations = 4096

// scramVerifiers derives the SCRAM verifiers of password, each with a
// fresh salt.
func scramVerifiers(password string) map[string]imap.ScramCredentials {
	v, err := sasl.NewScramVerifiers(password, scramIterations)
	if err != nil {
		panic(err) // only for an iteration count SCRAM refuses
	}
	return v
}

// ScramCredentials implements imap.ScramBackend: the verifiers AddUser
// derived, or imap.ErrUnknownUser for a name it did not create, so that
// the exchange fails at the proof as a wrong password does (RFC 5802
// section 9).
func (b *Backend) ScramCredentials(_ context.Context, mech, username string) (imap.ScramCredentials, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if u, ok := b.users[username]; ok {
		return u.scram[mech], nil
	}
	return imap.ScramCredentials{}, imap.ErrUnknownUser
}

// OpenIdentity implements imap.IdentityBackend: the session of a user a
// SASL exchange authenticated without the password.
func (b *Backend) OpenIdentity(_ context.Context, _ *imap.Conn, username string) (imap.User, error) {
	return b.open(username, func(*user) bool { return true })
}
