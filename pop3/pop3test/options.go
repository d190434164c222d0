package pop3test

import (
	"github.com/mailwire/mailwire/internal/testserver"
	"github.com/mailwire/mailwire/pop3"
)

// An Option configures a Server made by NewServer or Start. The option
// names are those of smtptest and imaptest (see the package doc).
type Option func(*config)

// config is what the options set; it does not change once the server runs.
type config struct {
	testserver.Settings[pop3.Server]
	users []preloadedUser
}

type preloadedUser struct {
	name, password string
	msgs           [][]byte
}

// WithUser creates a user with a password (also the APOP shared secret,
// RFC 1939 section 7) and preloads msgs into the maildrop, in order.
// Preloaded messages are not deliveries: WaitMessages does not count them.
func WithUser(name, password string, msgs ...[]byte) Option {
	return func(c *config) {
		c.users = append(c.users, preloadedUser{name: name, password: password, msgs: msgs})
	}
}

// WithInsecureAuth accepts USER/PASS and AUTH over a cleartext connection
// (pop3.Server.AllowInsecureAuth). RFC 2595 section 2.1 and RFC 8314 let a
// server refuse passwords in the clear, and the test server does unless a
// test asks for this.
func WithInsecureAuth() Option { return func(c *config) { c.InsecureAuth = true } }

// WithTLS offers STLS (RFC 2595 section 4) with a certificate for
// localhost and 127.0.0.1 made at run time; Server.ClientTLSConfig trusts
// it.
func WithTLS() Option { return func(c *config) { c.TLS = true } }

// WithImplicitTLS serves POP3 inside TLS from the first octet, as on port
// 995 (RFC 8314 section 3.3), with the certificate of WithTLS.
func WithImplicitTLS() Option { return func(c *config) { c.ImplicitTLS = true } }

// WithServer calls fn with the pop3.Server before it starts, to set its
// limits, timeouts, Domain or Debug writer. Backend must not be replaced;
// a BeforeCommand set here runs after FailCommand and DropOn.
func WithServer(fn func(*pop3.Server)) Option {
	return func(c *config) { c.Tweaks = append(c.Tweaks, fn) }
}
