package smtp

import (
	"bytes"
	"errors"

	"github.com/mailwire/mailwire/internal/sasl"
)

// saslOffer maps the session's optional interfaces (ScramSession,
// ExternalSession, OAuthBearerSession, SASLSession, AuthSession) onto
// the mechanisms this connection can run: what EHLO lists as AUTH (RFC
// 4954 section 3) and AUTH starts.
func (c *Conn) saslOffer() *sasl.Offer {
	o := &sasl.Offer{TLS: c.line.TLS, Certificate: sasl.ConfiguredCertificate(c.srv.TLSConfig)}
	s := c.session
	o.UseMethods(c.line.Ctx, s)
	if ss, ok := s.(SASLSession); ok {
		o.Own = ss.AuthMechanisms()
		o.StartOwn = func(mech string) (SASLServer, error) { return ss.Auth(c.line.Ctx, mech) }
	}
	if as, ok := s.(AuthSession); ok {
		o.Password = func(identity, username, password string) error {
			return as.AuthPlain(c.line.Ctx, identity, username, password)
		}
	}
	return o
}

// authMechanisms lists the SASL mechanisms the session supports on this
// connection, or nil.
func (c *Conn) authMechanisms() []string { return c.saslOffer().Mechanisms() }

// handleAuth runs AUTH mechanism [initial-response] (RFC 4954 section 4)
// with sasl.RunServer over a sasl.LineTransport. A cancelled exchange or bad
// base64 gets 501 and the session goes on; a failed authentication is a
// failed login (its delay, its count, 535 5.7.8). Once the exchange
// succeeds the Conn records the identity it authenticated.
func (c *Conn) handleAuth(arg []byte) Outcome {
	offer := c.saslOffer()
	mechArg, ir, hasIR := bytes.Cut(arg, []byte{' '})
	switch {
	case offer.Mechanisms() == nil:
		return c.refused(NewReply(CodeNotImplemented, EnhancedInvalidCommand, "AUTH not available"))
	case c.authed:
		return c.refused(NewReply(CodeBadSequence, EnhancedInvalidCommand, "Already authenticated"))
	case c.line.TLS == nil && !c.srv.AllowInsecureAuth:
		// RFC 4954 section 6 and RFC 5248: 538 5.7.11.
		return c.refused(NewReply(CodeEncryptionRequired, EnhancedEncryptionRequired, "Encryption required for requested authentication mechanism"))
	case len(mechArg) == 0:
		return c.refused(syntaxError("Syntax: AUTH mechanism [initial-response]"))
	}
	ex, err := offer.Start(string(mechArg))
	if err != nil {
		return c.refused(c.replyFor(err, CodeTempAuthFailure, EnhancedTempSecurity))
	}
	if ex == nil {
		return c.refused(NewReply(CodeParameterNotImpl, EnhancedInvalidArguments, "Unrecognized authentication type"))
	}
	t := &sasl.LineTransport{Initial: string(ir), HasInitial: hasIR, Exchange: c.saslExchange}
	if err := sasl.RunServer(ex, t); err != nil {
		return c.authRefused(err, t)
	}
	c.identity = sasl.Identity(ex)
	c.authed = true
	c.loggedIn()
	return c.accepted(NewReply(CodeAuthSucceeded, EnhancedAuthOK, "Authentication successful"))
}

// authRefused answers an exchange that did not succeed (RFC 4954 section
// 4): 501 to a cancel or bad base64, the failed-login path to a failed
// authentication.
func (c *Conn) authRefused(err error, t *sasl.LineTransport) Outcome {
	var me *sasl.MechanismError
	switch {
	case errors.Is(err, sasl.ErrCancelled):
		return c.refused(NewReply(CodeParameterSyntaxError, EnhancedFailure, "Authentication cancelled"))
	case errors.Is(err, sasl.ErrBadBase64) && t.Challenges == 0:
		return c.refused(NewReply(CodeParameterSyntaxError, EnhancedSyntaxError, "Invalid base64 in initial response"))
	case errors.Is(err, sasl.ErrBadBase64):
		return c.refused(NewReply(CodeParameterSyntaxError, EnhancedSyntaxError, "Invalid base64 response"))
	case errors.As(err, &me) && sasl.Refused(err):
		return c.authFailed(NewReply(CodeAuthInvalid, EnhancedBadCredentials, "Authentication credentials invalid"))
	case errors.As(err, &me):
		return c.authFailed(c.replyFor(err, CodeAuthInvalid, EnhancedBadCredentials))
	case errors.Is(err, errAuthLineRefused):
		return OutcomeRefused
	}
	return OutcomeClosed // the connection broke
}

// errAuthLineRefused: a response line was too long, and readLine has
// answered it with 500 (RFC 4954 section 4).
var errAuthLineRefused = errors.New("smtp: AUTH response line refused")

// saslExchange sends one challenge as a 334 reply and reads the client's
// response line (RFC 4954 section 4), of up to MaxAuthLineLength octets,
// kept out of the Debug output.
func (c *Conn) saslExchange(challenge string) (string, error) {
	c.reply(&Reply{Code: CodeAuthContinue, Lines: []string{challenge}})
	if err := c.bw.Flush(); err != nil {
		return "", err
	}
	line, err := c.readLine(c.srv.limits().MaxAuthLineLength)
	if err == nil && line == nil {
		err = errAuthLineRefused
	}
	if err != nil {
		return "", err
	}
	c.debug("C: ***")
	return string(line), nil
}
