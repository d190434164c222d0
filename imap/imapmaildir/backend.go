package imapmaildir

import (
	"context"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// Backend is an imap.Backend over the users' Maildir stores. Set its
// fields before serving; it is safe for concurrent use.
//
// SASL mechanisms that authenticate without a password (EXTERNAL,
// OAUTHBEARER, SCRAM) need imap.IdentityBackend or imap.ScramBackend:
// embed *Backend in a type of your own that checks the identity (or
// returns the SCRAM verifiers) and then calls OpenUser.
type Backend struct {
	// Stores opens each user's Maildir; give the same *maildir.Stores to
	// pop3maildir so both protocols share one Store per user.
	Stores *maildir.Stores
	// Authenticate checks a login name and password and returns the user
	// whose Store is opened (the name Stores.Path takes). An error
	// answers NO [AUTHENTICATIONFAILED].
	Authenticate func(ctx context.Context, username, password string) (user string, err error)
}

// errCredentials answers a failed login (RFC 5530 section 3); nothing
// tells an unknown user from a wrong password.
var errCredentials = imap.NOResponse(imap.CodeAuthenticationFailed, "Invalid credentials")

// Login implements imap.Backend (RFC 3501 section 6.2.3, LOGIN, and
// AUTHENTICATE PLAIN): Authenticate checks the password, then the
// user's Store is opened. The session's Username is the login name.
func (b *Backend) Login(ctx context.Context, _ *imap.Conn, username, password string) (imap.User, error) {
	if b.Authenticate == nil {
		return nil, errCredentials
	}
	user, err := b.Authenticate(ctx, username, password)
	if err != nil {
		return nil, errCredentials
	}
	return b.open(username, user)
}

// OpenUser opens the session of a user authenticated otherwise (by a
// SASL mechanism the caller checked): the imap.User over the Store of
// user, whose Username is user.
func (b *Backend) OpenUser(ctx context.Context, user string) (imap.User, error) {
	return b.open(user, user)
}

// open returns the session of login over the Store of user.
func (b *Backend) open(login, user string) (imap.User, error) {
	store, err := b.Stores.Open(user)
	if err != nil {
		return nil, err
	}
	return &session{login: login, store: store}, nil
}
