package pop3

import (
	"errors"

	"github.com/mailwire/mailwire/internal/sasl"
)

// authOpen is what one AUTH exchange leaves for opening the maildrop once
// it succeeds: the maildrop Login opened (PLAIN, LOGIN) or the opener a
// SASLBackend returned with its own mechanism. Without either the
// identity is opened with IdentityBackend.OpenIdentity.
type authOpen struct {
	maildrop Maildrop
	open     func() (Maildrop, error)
}

// saslOffer maps the backend's optional interfaces onto the mechanisms
// this connection can run (RFC 5034): what CAPA lists as SASL and AUTH
// starts. a receives what the exchange opens.
func (c *Conn) saslOffer(a *authOpen) *sasl.Offer {
	o := &sasl.Offer{TLS: c.line.TLS, Certificate: sasl.ConfiguredCertificate(c.srv.TLSConfig)}
	b := c.srv.Backend
	if ib, ok := b.(IdentityBackend); ok {
		o.UseMethods(c.line.Ctx, ib) // ScramBackend, ExternalBackend, OAuthBearerBackend
	}
	if sb, ok := b.(SASLBackend); ok {
		o.Own = sb.AuthMechanisms()
		o.StartOwn = func(mech string) (SASLServer, error) {
			ex, open, err := sb.Auth(c.line.Ctx, c, mech)
			a.open = open
			return ex, err
		}
	}
	o.Password = func(identity, username, password string) error {
		if identity != "" && identity != username {
			return ErrResponse(CodeAuth, "Authorization identity not permitted")
		}
		md, err := b.Login(c.line.Ctx, c, username, password)
		a.maildrop = md
		return err
	}
	return o
}

// authMechanisms lists the SASL mechanisms CAPA announces (RFC 5034
// section 6).
func (c *Conn) authMechanisms() []string { return c.saslOffer(&authOpen{}).Mechanisms() }

// handleAuth runs AUTH mechanism [initial-response] (RFC 5034 section 4)
// with sasl.RunServer over a sasl.LineTransport. A cancelled exchange or bad
// base64 gets -ERR and the session goes on; a failed authentication is a
// failed login (its delay, its count, -ERR [AUTH]); once the exchange
// succeeds the identity's maildrop is opened and locked as for PASS.
func (c *Conn) handleAuth(args []string) Outcome {
	if !c.passwordAllowed() {
		return c.refuseCleartext()
	}
	a := &authOpen{}
	ex, err := c.saslOffer(a).Start(args[0])
	if err != nil {
		return c.fail(c.responseFor(err, CodeSysTemp, "Authentication not available"))
	}
	if ex == nil {
		return c.fail(ErrResponse("", "Unrecognized authentication mechanism"))
	}
	t := &sasl.LineTransport{Exchange: c.saslExchange}
	if len(args) == 2 {
		t.Initial, t.HasInitial = args[1], true
	}
	if o, ok := c.authOutcome(sasl.RunServer(ex, t), t); !ok {
		return o
	}
	user := sasl.Identity(ex)
	if user == "" {
		return c.fail(ErrResponse(CodeSysPerm, "Authentication gave no identity"))
	}
	return c.login(user, func() (Maildrop, error) { return c.openAuthenticated(a, user) })
}

// authOutcome answers an exchange that did not succeed and reports false;
// for a successful one (err nil) it reports true.
func (c *Conn) authOutcome(err error, t *sasl.LineTransport) (Outcome, bool) {
	var me *sasl.MechanismError
	switch {
	case err == nil:
		return OutcomeAccepted, true
	case errors.Is(err, sasl.ErrCancelled):
		return c.fail(ErrResponse("", "Authentication cancelled")), false
	case errors.Is(err, sasl.ErrBadBase64) && t.Challenges == 0:
		return c.fail(ErrResponse("", "Invalid base64 in initial response")), false
	case errors.Is(err, sasl.ErrBadBase64):
		return c.fail(ErrResponse("", "Invalid base64 response")), false
	case errors.As(err, &me) && sasl.Refused(err):
		return c.authFailed(ErrResponse(CodeAuth, "Authentication failed")), false
	case errors.As(err, &me):
		return c.authFailed(c.responseFor(err, CodeAuth, "Authentication failed")), false
	case errors.Is(err, errAuthLineRefused):
		return OutcomeRefused, false
	}
	return OutcomeClosed, false // the connection broke
}

// openAuthenticated opens the maildrop of user once the exchange a
// belongs to succeeded.
func (c *Conn) openAuthenticated(a *authOpen, user string) (Maildrop, error) {
	switch {
	case a.maildrop != nil:
		return a.maildrop, nil
	case a.open != nil:
		return a.open()
	}
	ib, ok := c.srv.Backend.(IdentityBackend)
	if !ok {
		return nil, ErrResponse(CodeSysPerm, "Cannot open the maildrop")
	}
	return ib.OpenIdentity(c.line.Ctx, c, user)
}

// errAuthLineRefused: a response line was too long or held NUL, and
// readLine has answered it with -ERR.
var errAuthLineRefused = errors.New("pop3: AUTH response line refused")

// saslExchange sends one challenge of an AUTH exchange (RFC 5034 section
// 4) as a "+ base64" line and reads the client's response line of up to
// MaxAuthLineLength octets, kept out of the Debug output.
func (c *Conn) saslExchange(text string) (string, error) {
	line := "+ " + text
	c.debug("S: %s", line) // challenges hold no secret
	c.bw.WriteString(line + "\r\n")
	if err := c.bw.Flush(); err != nil {
		return "", err
	}
	resp, err := c.readLine(c.srv.limits().MaxAuthLineLength)
	if err != nil {
		return "", err
	}
	if resp == nil {
		return "", errAuthLineRefused
	}
	c.debug("C: ***")
	return string(resp), nil
}
