package smtp

import (
	"errors"
	"strings"

	"github.com/mailwire/mailwire/internal/sasl"
)

// saslOffer maps the session's optional interfaces onto the mechanisms
// this connection can run: what EHLO lists as AUTH (RFC 4954 section 3)
// and AUTH starts. ScramSession, ExternalSession and OAuthBearerSession
// enable theirs, SASLSession its own, AuthSession PLAIN and LOGIN.
func (c *Conn) saslOffer() *sasl.Offer {
	o := &sasl.Offer{TLS: c.tls, Certificate: sasl.ConfiguredCertificate(c.srv.TLSConfig)}
	o.Use(c.ctx, c.session)
	if ss, ok := c.session.(SASLSession); ok {
		o.Own = ss.AuthMechanisms()
		o.StartOwn = func(mech string) (SASLServer, error) { return ss.Auth(c.ctx, mech) }
	}
	if as, ok := c.session.(AuthSession); ok {
		o.Password = func(identity, username, password string) error {
			return as.AuthPlain(c.ctx, identity, username, password)
		}
	}
	return o
}

// authMechanisms lists the SASL mechanisms the session supports on this
// connection, or nil.
func (c *Conn) authMechanisms() []string { return c.saslOffer().Mechanisms() }

// handleAuth runs AUTH mechanism [initial-response] (RFC 4954 section 4)
// with sasl.RunServer over saslTransport. Once the exchange succeeded,
// Identity is what the mechanism authenticated: for PLAIN the
// authorization identity when the client sent one, else the user name.
func (c *Conn) handleAuth(arg []byte) Outcome {
	o := c.saslOffer()
	mech, ir, hasIR := strings.Cut(string(arg), " ")
	switch {
	case len(o.Mechanisms()) == 0:
		return c.refused(NewReply(CodeNotImplemented, EnhancedInvalidCommand, "AUTH not available"))
	case c.authed:
		return c.refused(NewReply(CodeBadSequence, EnhancedInvalidCommand, "Already authenticated"))
	case c.tls == nil && !c.srv.AllowInsecureAuth:
		// RFC 4954 section 6 and RFC 5248: 538 5.7.11.
		return c.refused(NewReply(CodeEncryptionRequired, EnhancedEncryptionRequired, "Encryption required for requested authentication mechanism"))
	case mech == "":
		return c.refused(syntaxError("Syntax: AUTH mechanism [initial-response]"))
	}
	ex, err := o.Start(mech)
	if err != nil {
		return c.refused(c.replyFor(err, CodeTempAuthFailure, EnhancedTempSecurity))
	}
	if ex == nil {
		return c.refused(NewReply(CodeParameterNotImpl, EnhancedInvalidArguments, "Unrecognized authentication type"))
	}
	t := &saslTransport{c: c, ir: ir, hasIR: hasIR}
	if err := sasl.RunServer(ex, t); err != nil {
		return c.authOutcome(err, t)
	}
	c.identity, c.authed = sasl.Identity(ex), true
	c.loggedIn()
	return c.accepted(NewReply(CodeAuthSucceeded, EnhancedAuthOK, "Authentication successful"))
}

// authOutcome answers an exchange that did not succeed: a cancelled one
// or bad base64 with 501 and the session goes on (RFC 4954 section 4), a
// failed authentication as a failed login (authFailed).
func (c *Conn) authOutcome(err error, t *saslTransport) Outcome {
	var me *sasl.MechanismError
	switch {
	case errors.Is(err, sasl.ErrCancelled):
		return c.refused(NewReply(CodeParameterSyntaxError, EnhancedFailure, "Authentication cancelled"))
	case errors.Is(err, sasl.ErrBadBase64) && t.challenges == 0:
		return c.refused(NewReply(CodeParameterSyntaxError, EnhancedSyntaxError, "Invalid base64 in initial response"))
	case errors.Is(err, sasl.ErrBadBase64):
		return c.refused(NewReply(CodeParameterSyntaxError, EnhancedSyntaxError, "Invalid base64 response"))
	case errors.As(err, &me) && sasl.Refused(err):
		return c.authFailed(NewReply(CodeAuthInvalid, EnhancedBadCredentials, "Authentication credentials invalid"))
	case errors.As(err, &me):
		return c.authFailed(c.replyFor(err, CodeAuthInvalid, EnhancedBadCredentials))
	case errors.Is(err, errAuthLineRefused):
		return OutcomeRefused // too long: answered with 500 (RFC 4954 section 4)
	}
	return OutcomeClosed // the connection broke
}

// errAuthLineRefused: a response line was too long, and readLine has
// answered it with 500 5.5.6.
var errAuthLineRefused = errors.New("smtp: AUTH response line refused")

// saslTransport carries one AUTH exchange (RFC 4954 section 4): the
// initial response from the command line, challenges as 334 replies,
// responses as lines of up to MaxAuthLineLength octets, kept out of the
// Debug output.
type saslTransport struct {
	c          *Conn
	ir         string
	hasIR      bool
	challenges int
}

func (t *saslTransport) InitialResponse() (string, bool) { return t.ir, t.hasIR }

// Challenge sends one challenge and reads the client's response line.
func (t *saslTransport) Challenge(text string) (string, error) {
	c := t.c
	t.challenges++
	c.reply(&Reply{Code: CodeAuthContinue, Lines: []string{text}})
	if err := c.bw.Flush(); err != nil {
		return "", err
	}
	line, err := c.readLine(c.srv.limits().MaxAuthLineLength)
	if err != nil {
		return "", err
	}
	if line == nil {
		return "", errAuthLineRefused
	}
	c.debug("C: ***")
	return string(line), nil
}
