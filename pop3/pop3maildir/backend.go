package pop3maildir

import (
	"context"
	"errors"

	"github.com/mailwire/mailwire/message/maildir"
	"github.com/mailwire/mailwire/pop3"
)

// Backend is a pop3.Backend over the users' maildir.Stores: a user's
// maildrop is the INBOX of the user's Store. It is safe for concurrent
// use.
type Backend struct {
	// Stores opens each user's Maildir; give the same *maildir.Stores
	// to imap/imapmaildir so both protocols share one Store per user.
	Stores *maildir.Stores
	// Authenticate checks a login name and password and returns the
	// user whose Store is opened (the name Stores.Path takes). An error
	// answers -ERR [AUTH] (RFC 3206 section 5); a *pop3.Response error
	// is sent as it is. nil refuses every login.
	Authenticate func(ctx context.Context, username, password string) (user string, err error)
}

// Backend is a pop3.Backend.
var _ pop3.Backend = (*Backend)(nil)

// errAuth answers a login Authenticate refused (RFC 3206 section 5).
var errAuth = pop3.ErrResponse(pop3.CodeAuth, "Invalid user name or password")

// Login implements pop3.Backend (USER/PASS, RFC 1939 section 7, and SASL
// PLAIN and LOGIN, RFC 5034): it checks the password with Authenticate
// and opens the user's maildrop with OpenUser.
func (b *Backend) Login(ctx context.Context, _ *pop3.Conn, username, password string) (pop3.Maildrop, error) {
	if b.Authenticate == nil {
		return nil, errAuth
	}
	user, err := b.Authenticate(ctx, username, password)
	if err != nil {
		var r *pop3.Response
		if errors.As(err, &r) && !r.OK {
			return nil, r
		}
		return nil, errAuth
	}
	return b.OpenUser(ctx, user)
}

// OpenUser opens the maildrop of a user authenticated otherwise (for a
// pop3.IdentityBackend's OpenIdentity): it takes the Store's maildrop
// lock, which answers -ERR [IN-USE] while another session, in this
// process or another, holds it (RFC 1939 section 8, RFC 2449 section
// 8.1.1), and the session lists the INBOX once logged in. A Store that
// cannot be opened answers -ERR [SYS/TEMP] (RFC 3206 section 4).
func (b *Backend) OpenUser(ctx context.Context, user string) (pop3.Maildrop, error) {
	store, err := b.Stores.Open(user)
	if err != nil {
		return nil, b.sysTemp(user, "opening the store", err, "Cannot open the maildrop")
	}
	unlock, err := store.LockMaildrop(ctx)
	if errors.Is(err, maildir.ErrInUse) {
		return nil, pop3.ErrResponse(pop3.CodeInUse, "Maildrop is locked by another session")
	}
	if err != nil {
		return nil, b.sysTemp(user, "locking the maildrop", err, "Cannot lock the maildrop")
	}
	return &maildrop{store: store, unlock: unlock}, nil
}

// sysTemp logs err, which the pop3 server would take for a refused login
// and not log, and returns the -ERR [SYS/TEMP] the client sees instead.
func (b *Backend) sysTemp(user, doing string, err error, text string) *pop3.Response {
	if opts := b.Stores.Options; opts != nil && opts.Logger != nil {
		opts.Logger.Error("pop3maildir: "+doing, "user", user, "err", err)
	}
	return pop3.ErrResponse(pop3.CodeSysTemp, text)
}
