package imapmaildir

import (
	"context"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// Backend is an imap.Backend serving each user's Maildir. Its zero value
// refuses every login; set Stores and Authenticate. It is safe for
// concurrent use, as imap.Server needs.
//
// SASL mechanisms that authenticate without a password (EXTERNAL,
// OAUTHBEARER, SCRAM) need imap.IdentityBackend or imap.ScramBackend:
// embed *Backend in a type of your own whose OpenIdentity checks the
// identity and calls OpenUser.
type Backend struct {
	// Stores opens each user's Maildir; give the same *maildir.Stores to
	// pop3maildir so both protocols share one Store per user. Set
	// Options.StructureLimits.MaxDepth to imap.DefaultStructureDepth (or
	// less): the message package's deeper default makes the structures
	// of deeply nested messages too deep for BODYSTRUCTURE (clients read
	// 64 nested lists), and those are then parsed again at every FETCH
	// instead of coming from the Store's cache.
	Stores *maildir.Stores
	// Authenticate checks a login name and password and returns the user
	// whose Store is opened (the name Stores.Path takes). An error
	// answers NO [AUTHENTICATIONFAILED] (RFC 5530 section 3).
	Authenticate func(ctx context.Context, username, password string) (user string, err error)
}

// errCredentials answers a failed login (RFC 5530 section 3), whatever
// Authenticate said, so that nothing tells an unknown user from a wrong
// password.
var errCredentials = &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeAuthenticationFailed, Text: "Invalid credentials"}

// Login implements imap.Backend (LOGIN and AUTHENTICATE PLAIN, RFC 3501
// sections 6.2.2 and 6.2.3): it checks the password with Authenticate
// and opens the user's Store.
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

// OpenUser opens the session of a user authenticated otherwise (SASL
// EXTERNAL, OAUTHBEARER, SCRAM): what an OpenIdentity of a type that
// embeds Backend returns. The user is the name Stores.Path takes.
func (b *Backend) OpenUser(_ context.Context, user string) (imap.User, error) {
	return b.open(user, user)
}

// open returns a session over the Store of user whose Username is login,
// the name the client logged in with (imap.User).
func (b *Backend) open(login, user string) (imap.User, error) {
	if b.Stores == nil {
		return nil, errCredentials
	}
	store, err := b.Stores.Open(user)
	if err != nil {
		return nil, err // the store's own fault: NO [SERVERBUG]
	}
	return &session{name: login, store: store}, nil
}
