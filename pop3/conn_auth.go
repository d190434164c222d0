package pop3

import (
	"strconv"
	"strings"

	"github.com/mailwire/mailwire/internal/netserver"
)

// passwordAllowed reports whether a password may be received now: over
// TLS, or when the server was told to allow cleartext (RFC 2595 2.1).
func (c *Conn) passwordAllowed() bool {
	return c.line.TLS != nil || c.srv.AllowInsecureAuth
}

// refuseCleartext answers USER, PASS or AUTH on a cleartext connection
// (RFC 3206 section 5: [AUTH], the way of authenticating was refused).
func (c *Conn) refuseCleartext() Outcome {
	return c.fail(ErrResponse(CodeAuth, "Plaintext authentication disallowed on non-secure connection; use STLS"))
}

// handleUser records the name for PASS (RFC 1939 section 7). The answer is
// +OK whether or not the user exists, so that names cannot be probed.
func (c *Conn) handleUser(name string) Outcome {
	if !c.passwordAllowed() {
		return c.refuseCleartext()
	}
	c.user = name
	return c.accept("Send PASS")
}

// handlePass logs in with the name of the preceding USER (RFC 1939 section
// 7).
func (c *Conn) handlePass(password string) Outcome {
	user := c.user
	c.user = ""
	switch {
	case !c.passwordAllowed():
		return c.refuseCleartext()
	case user == "":
		return c.fail(ErrResponse("", "No user name given; send USER first"))
	}
	return c.login(user, func() (Maildrop, error) { return c.srv.Backend.Login(c.line.Ctx, c, user, password) })
}

// handleAPOP logs in with an MD5 digest of the greeting's timestamp and the
// shared secret (RFC 1939 section 7).
func (c *Conn) handleAPOP(name, digest string) Outcome {
	ab, ok := c.srv.Backend.(APOPBackend)
	if !ok {
		return c.fail(ErrResponse("", "APOP not available"))
	}
	digest = strings.ToLower(digest)
	return c.login(name, func() (Maildrop, error) {
		return ab.LoginAPOP(c.line.Ctx, c, name, func(secret string) bool { return verifyAPOP(c.timestamp, digest, secret) })
	})
}

// login opens and locks the maildrop of user; accepted, the command leads
// to TRANSACTION (RFC 1939 section 4). A refused login waits for the
// server's failed-login delay before the -ERR, and MaxAuthFailures of them
// end the session.
func (c *Conn) login(user string, open func() (Maildrop, error)) Outcome {
	md, err := open()
	if err != nil {
		return c.authFailed(c.responseFor(err, CodeAuth, "Authentication failed"))
	}
	if r := c.srv.lock(user); r != nil {
		md.Close(c.line.Ctx)
		return c.fail(r)
	}
	msgs, err := md.Messages(c.line.Ctx)
	if err != nil {
		md.Close(c.line.Ctx)
		c.srv.unlock(user)
		return c.fail(c.responseFor(err, CodeSysTemp, "Cannot open the maildrop"))
	}
	c.identity, c.maildrop, c.msgs = user, md, msgs
	c.deleted = make([]bool, len(msgs))
	c.loggedIn()
	n, size := c.stat()
	return c.accept("Maildrop has " + strconv.Itoa(n) + " messages (" + strconv.FormatInt(size, 10) + " octets)")
}

// authFailed answers a refused login once the server's FailureDelay lets
// it: the answers to one client's failures, on all its connections, are
// spaced by a delay that grows with each. Responses queued before go out
// first. When the wait is cut short (shutdown, the login timeout, Close)
// the session ends without the answer. A session that has failed too
// often is closed.
func (c *Conn) authFailed(r *Response) Outcome {
	c.authFailures++
	if err := c.pauseAfterFailure(); err != nil {
		c.closeOnError(err)
		return OutcomeClosed
	}
	c.fail(r)
	if c.authFailures >= c.srv.limits().MaxAuthFailures {
		c.reply(ErrResponse(CodeAuth, "Too many failed logins, closing connection"))
		return OutcomeClosed
	}
	return OutcomeRefused
}

// pauseAfterFailure records a failed login and waits for its answer's
// turn; an error if the wait was cut short (netserver's FailedLogin).
func (c *Conn) pauseAfterFailure() error {
	if c.srv.sleep == nil {
		return c.line.FailedLogin()
	}
	c.bw.Flush()
	if _, d := c.srv.core().FailureDelay().Fail(netserver.KeyOf(c.RemoteAddr())); d > 0 {
		c.srv.sleep(d)
	}
	return nil
}

// loggedIn records a successful login: the session can no longer be
// evicted to make room, the login timeout no longer applies, and the
// client's failed-login delay starts over.
func (c *Conn) loggedIn() { c.srv.core().LoggedIn(c) }
