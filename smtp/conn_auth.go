package smtp

import (
	"bytes"
	"encoding/base64"

	"github.com/mailwire/mailwire/internal/sasl"
)

// handleStartTLS answers STARTTLS (RFC 3207 section 4). Input the client
// pipelined after the command is thrown away, not run under TLS (section
// 6: it could have been injected by an attacker), and the session starts
// over: the client must send EHLO again and prior knowledge is forgotten
// (the table leads back to StateGreeted).
func (c *Conn) handleStartTLS(arg []byte) Outcome {
	switch {
	case len(arg) > 0:
		return c.refused(syntaxError("STARTTLS takes no arguments"))
	case c.tls != nil:
		return c.refused(NewReply(CodeBadSequence, EnhancedInvalidCommand, "TLS already active"))
	case c.srv.TLSConfig == nil:
		return c.refused(NewReply(CodeNotImplemented, EnhancedInvalidCommand, "STARTTLS not available"))
	}
	c.reply(NewReply(CodeReady, EnhancedOK, "Ready to start TLS"))
	st, err := c.line.StartTLS(c.ctx, c.srv.TLSConfig)
	if err != nil {
		return OutcomeClosed
	}
	c.tls = st
	c.resetTransaction()
	c.session.Reset(c.ctx)
	c.hostname = ""
	c.identity, c.authed = "", false
	return OutcomeTLSStarted
}

// authMechanisms lists the SASL mechanisms the session supports, or nil.
func (c *Conn) authMechanisms() []string {
	var mechs []string
	if ss, ok := c.session.(SASLSession); ok {
		mechs = append(mechs, ss.AuthMechanisms()...)
	}
	if _, ok := c.session.(AuthSession); ok {
		mechs = append(mechs, sasl.Plain, sasl.Login)
	}
	return mechs
}

// saslServer starts the named mechanism, preferring the session's own.
func (c *Conn) saslServer(mech string) (SASLServer, error) {
	if ss, ok := c.session.(SASLSession); ok {
		for _, m := range ss.AuthMechanisms() {
			if m == mech {
				return ss.Auth(c.ctx, mech)
			}
		}
	}
	if as, ok := c.session.(AuthSession); ok {
		switch mech {
		case sasl.Plain:
			return sasl.NewPlainServer(func(identity, user, pass string) error {
				if err := as.AuthPlain(c.ctx, identity, user, pass); err != nil {
					return err
				}
				c.identity = user
				if identity != "" {
					c.identity = identity
				}
				return nil
			}), nil
		case sasl.Login:
			return sasl.NewLoginServer(func(user, pass string) error {
				if err := as.AuthPlain(c.ctx, "", user, pass); err != nil {
					return err
				}
				c.identity = user
				return nil
			}), nil
		}
	}
	return nil, nil
}

// handleAuth runs AUTH mechanism [initial-response] (RFC 4954 section 4).
func (c *Conn) handleAuth(arg []byte) Outcome {
	mechs := c.authMechanisms()
	mechArg, ir, hasIR := bytes.Cut(arg, []byte{' '})
	mech := string(bytes.ToUpper(mechArg))
	switch {
	case mechs == nil:
		return c.refused(NewReply(CodeNotImplemented, EnhancedInvalidCommand, "AUTH not available"))
	case c.authed:
		return c.refused(NewReply(CodeBadSequence, EnhancedInvalidCommand, "Already authenticated"))
	case c.tls == nil && !c.srv.AllowInsecureAuth:
		// RFC 4954 section 6 and RFC 5248: 538 5.7.11.
		return c.refused(NewReply(CodeEncryptionRequired, EnhancedEncryptionRequired, "Encryption required for requested authentication mechanism"))
	case len(mech) == 0:
		return c.refused(syntaxError("Syntax: AUTH mechanism [initial-response]"))
	}
	server, err := c.saslServer(mech)
	if err != nil {
		return c.refused(c.replyFor(err, CodeTempAuthFailure, EnhancedTempSecurity))
	}
	if server == nil {
		return c.refused(NewReply(CodeParameterNotImpl, EnhancedInvalidArguments, "Unrecognized authentication type"))
	}
	var resp []byte
	if hasIR {
		if resp, err = decodeSASL(ir); err != nil {
			return c.refused(NewReply(CodeParameterSyntaxError, EnhancedSyntaxError, "Invalid base64 in initial response"))
		}
	}
	for {
		challenge, done, err := server.Next(resp)
		if err != nil {
			return c.authFailed(c.replyFor(err, CodeAuthInvalid, EnhancedBadCredentials))
		}
		if done {
			break
		}
		c.reply(&Reply{Code: CodeAuthContinue, Lines: []string{base64.StdEncoding.EncodeToString(challenge)}})
		if err := c.bw.Flush(); err != nil {
			return OutcomeClosed
		}
		line, err := c.readLine(c.srv.limits().MaxAuthLineLength)
		if err != nil {
			return OutcomeClosed
		}
		if line == nil {
			return OutcomeRefused // too long: answered with 500 (RFC 4954 section 4)
		}
		c.debug("C: ***")
		if string(line) == "*" {
			// RFC 4954 section 4: the client cancelled.
			return c.refused(NewReply(CodeParameterSyntaxError, EnhancedFailure, "Authentication cancelled"))
		}
		if resp, err = decodeSASL(line); err != nil {
			return c.refused(NewReply(CodeParameterSyntaxError, EnhancedSyntaxError, "Invalid base64 response"))
		}
	}
	if id, ok := server.(interface{ Identity() string }); ok {
		c.identity = id.Identity()
	}
	c.authed = true
	c.loggedIn()
	return c.accepted(NewReply(CodeAuthSucceeded, EnhancedAuthOK, "Authentication successful"))
}

// authFailed answers a failed AUTH once the server's FailureDelay lets
// it: the answers to one client's failures, on all its connections, are
// spaced by a delay that grows with each (RFC 4954 section 9). Replies
// queued before go out first. When the wait is cut short (shutdown, the
// login timeout, Close) the session ends without the answer. After
// MaxAuthFailures the session ends with 421 4.7.0.
func (c *Conn) authFailed(r *Reply) Outcome {
	c.failures++
	if err := c.line.FailedLogin(); err != nil {
		c.closeOnError(err)
		return OutcomeClosed
	}
	c.fail(r)
	if c.failures >= c.srv.limits().MaxAuthFailures {
		c.reply(NewReply(CodeServiceNotAvailable, EnhancedTempSecurity, c.srv.domain()+" Too many authentication failures, closing connection"))
		return OutcomeClosed
	}
	return OutcomeRefused
}

// loggedIn records a successful AUTH: the session can no longer be
// evicted to make room, the login timeout no longer applies, and the
// client's failed-login delay starts over.
func (c *Conn) loggedIn() {
	c.srv.group.Authenticated(c)
	c.line.LoggedIn()
}

// decodeSASL decodes one base64 SASL message; "=" is an empty one (RFC
// 4954 section 4).
func decodeSASL(b []byte) ([]byte, error) {
	if len(b) == 1 && b[0] == '=' {
		return []byte{}, nil
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
	n, err := base64.StdEncoding.Decode(out, b)
	return out[:n], err
}
