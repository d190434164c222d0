package pop3

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/mailwire/mailwire/internal/netserver"
	"github.com/mailwire/mailwire/internal/sasl"
)

// passwordAllowed reports whether a password may be received now: over
// TLS, or when the server was told to allow cleartext (RFC 2595 2.1).
func (c *Conn) passwordAllowed() bool {
	return c.tls != nil || c.srv.AllowInsecureAuth
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
	return c.login(user, func() (Maildrop, error) { return c.srv.Backend.Login(c.ctx, c, user, password) })
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
		return ab.LoginAPOP(c.ctx, c, name, func(secret string) bool { return verifyAPOP(c.timestamp, digest, secret) })
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
		md.Close(c.ctx)
		return c.fail(r)
	}
	msgs, err := md.Messages(c.ctx)
	if err != nil {
		md.Close(c.ctx)
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
func (c *Conn) loggedIn() {
	c.srv.group.Authenticated(c)
	c.line.LoggedIn()
}

// authMechanisms lists the SASL mechanisms offered: the backend's own, then
// PLAIN (RFC 4616) and LOGIN, which every Backend supports through Login.
func (c *Conn) authMechanisms() []string {
	var mechs []string
	if sb, ok := c.srv.Backend.(SASLBackend); ok {
		mechs = append(mechs, sb.AuthMechanisms()...)
	}
	return append(mechs, sasl.Plain, sasl.Login)
}

// saslExchange starts mech and returns how to open the maildrop once it
// succeeds, or nil for a mechanism the server does not know. user receives
// the authenticated name.
func (c *Conn) saslExchange(mech string, user *string) (SASLServer, func() (Maildrop, error), error) {
	if sb, ok := c.srv.Backend.(SASLBackend); ok {
		for _, m := range sb.AuthMechanisms() {
			if strings.EqualFold(m, mech) {
				ex, open, err := sb.Auth(c.ctx, c, m)
				return ex, open, err
			}
		}
	}
	var md Maildrop
	open := func() (Maildrop, error) { return md, nil }
	check := func(identity, username, password string) error {
		if identity != "" && identity != username {
			return ErrResponse(CodeAuth, "Authorization identity not permitted")
		}
		m, err := c.srv.Backend.Login(c.ctx, c, username, password)
		md, *user = m, username
		return err
	}
	switch strings.ToUpper(mech) {
	case sasl.Plain:
		return sasl.NewPlainServer(check), open, nil
	case sasl.Login:
		return sasl.NewLoginServer(func(u, p string) error { return check("", u, p) }), open, nil
	}
	return nil, nil, nil
}

// handleAuth runs AUTH mechanism [initial-response] (RFC 5034 section 4):
// challenges go out as "+ base64", the client answers with a base64 line,
// "*" cancels, "=" is an empty initial response.
func (c *Conn) handleAuth(args []string) Outcome {
	if !c.passwordAllowed() {
		return c.refuseCleartext()
	}
	user := ""
	ex, open, err := c.saslExchange(args[0], &user)
	if err != nil {
		return c.fail(c.responseFor(err, CodeSysTemp, "Authentication not available"))
	}
	if ex == nil {
		return c.fail(ErrResponse("", "Unrecognized authentication mechanism"))
	}
	var resp []byte
	if len(args) == 2 {
		if resp, err = decodeSASL(args[1]); err != nil {
			return c.fail(ErrResponse("", "Invalid base64 in initial response"))
		}
	}
	for {
		challenge, done, err := ex.Next(resp)
		if err != nil {
			return c.authFailed(c.responseFor(err, CodeAuth, "Authentication failed"))
		}
		if done {
			break
		}
		var o Outcome
		if resp, o = c.challenge(challenge); o != OutcomeAccepted {
			return o
		}
	}
	if user == "" {
		if id, ok := ex.(interface{ Identity() string }); ok {
			user = id.Identity()
		}
	}
	if user == "" {
		return c.fail(ErrResponse(CodeSysPerm, "Authentication gave no identity"))
	}
	return c.login(user, open)
}

// challenge sends one SASL challenge and returns the client's decoded
// response and OutcomeAccepted, or the outcome that ends the exchange: a
// broken connection, a line too long or holding NUL (answered by
// readLine), "*" or bad base64.
func (c *Conn) challenge(challenge []byte) ([]byte, Outcome) {
	line := "+ " + base64.StdEncoding.EncodeToString(challenge)
	c.debug("S: %s", line) // challenges hold no secret
	c.bw.WriteString(line + "\r\n")
	if err := c.bw.Flush(); err != nil {
		return nil, OutcomeClosed
	}
	resLine, err := c.readLine(c.srv.limits().MaxAuthLineLength)
	if err != nil {
		return nil, OutcomeClosed
	}
	if resLine == nil {
		return nil, OutcomeRefused
	}
	c.debug("C: ***")
	if string(resLine) == "*" {
		return nil, c.fail(ErrResponse("", "Authentication cancelled"))
	}
	resp, err := decodeSASL(string(resLine))
	if err != nil {
		return nil, c.fail(ErrResponse("", "Invalid base64 response"))
	}
	return resp, OutcomeAccepted
}

// decodeSASL decodes one base64 SASL message; "=" is an empty one (RFC
// 5034 section 4).
func decodeSASL(s string) ([]byte, error) {
	if s == "=" {
		return []byte{}, nil
	}
	return base64.StdEncoding.DecodeString(s)
}
