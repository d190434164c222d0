package imap

import (
	"errors"
	"strings"

	"github.com/mailwire/mailwire/internal/netserver"
	"github.com/mailwire/mailwire/internal/sasl"
)

// saslOffer maps the backend's optional interfaces onto the mechanisms
// this connection can run (RFC 3501 section 6.2.2): what CAPABILITY
// lists as AUTH= and AUTHENTICATE starts. PLAIN and LOGIN check the
// password with Backend.Login and leave the User it opened in *u; a
// SASLBackend's own mechanism leaves its opener in *open.
func (c *Conn) saslOffer(u *User, open *func() (User, error)) *sasl.Offer {
	o := &sasl.Offer{TLS: c.line.TLS, Certificate: sasl.ConfiguredCertificate(c.srv.TLSConfig)}
	if ib, ok := c.srv.Backend.(IdentityBackend); ok {
		o.UseMethods(c.line.Ctx, ib)
	}
	if sb, ok := c.srv.Backend.(SASLBackend); ok {
		o.Own = sb.AuthMechanisms()
		o.StartOwn = func(mech string) (SASLServer, error) {
			ex, opener, err := sb.Auth(c.line.Ctx, c, mech)
			*open = opener
			return ex, err
		}
	}
	o.Password = func(identity, username, password string) error {
		if identity != "" && identity != username {
			return errors.New("imap: authorization identity differs")
		}
		user, err := c.srv.Backend.Login(c.line.Ctx, c, username, password)
		*u = user
		return err
	}
	return o
}

// authCapabilities lists the AUTH= capabilities (RFC 3501 section 6.2.2)
// of what AUTHENTICATE can run on this connection.
func (c *Conn) authCapabilities() []string {
	var caps []string
	for _, mech := range c.saslOffer(new(User), new(func() (User, error))).Mechanisms() {
		caps = append(caps, "AUTH="+mech)
	}
	return caps
}

// handleAuthenticate runs AUTHENTICATE mechanism [initial-response] (RFC
// 3501 section 6.2.2, RFC 4959 for the initial response) with
// sasl.RunServer over saslTransport. A cancelled exchange, bad base64 and
// a response line over MaxAuthLineLength get BAD and the session goes
// on; a failed exchange is a failed login (loginFailed); once it
// succeeds the session is authenticated as for LOGIN.
func (c *Conn) handleAuthenticate(tag string) (*StatusResponse, error) {
	c.redact.Store(true)
	defer c.redact.Store(false)
	mech, t, err := c.readAuthenticate()
	if err != nil {
		return nil, err
	}
	if !c.authAllowed() {
		return no(CodePrivacyRequired, "Authentication is disabled until TLS is active"), nil
	}
	var (
		u    User
		open func() (User, error)
	)
	ex, err := c.saslOffer(&u, &open).Start(mech)
	if err != nil {
		return c.backendError(err), nil
	}
	if ex == nil {
		return no(CodeCannot, "Unsupported authentication mechanism"), nil
	}
	if err := sasl.RunServer(ex, t); err != nil {
		return c.authFailed(tag, err)
	}
	switch {
	case u != nil:
	case open != nil:
		if u, err = open(); err != nil {
			return c.loginFailed(tag, err), nil
		}
	default:
		if u, err = c.openIdentity(sasl.Identity(ex)); err != nil {
			return c.loginFailed(tag, err), nil
		}
	}
	return c.authenticated(sasl.Identity(ex), u), nil
}

// readAuthenticate reads the arguments of AUTHENTICATE: the mechanism
// and the transport that carries the exchange, with the initial
// response when the client sent one (RFC 4959 section 3).
func (c *Conn) readAuthenticate() (string, *saslTransport, error) {
	if err := c.sp(); err != nil {
		return "", nil, err
	}
	mech, err := c.r.Atom()
	if err != nil {
		return "", nil, err
	}
	t := &saslTransport{c: c}
	if c.r.Accept(' ') {
		if t.ir, err = c.r.Text(); err != nil {
			return "", nil, err
		}
		t.hasIR = true
	}
	return strings.ToUpper(mech), t, c.eol()
}

// authFailed answers an exchange RunServer did not finish: BAD for a
// cancel (RFC 3501 section 6.2.2), and through badCommand, which counts
// it towards MaxErrors, for bad base64 (RFC 9051 section 6.2.2) and a
// response line refused; the failed-login path for the mechanism's
// verdict. Any other error broke the connection.
func (c *Conn) authFailed(tag string, err error) (*StatusResponse, error) {
	var me *sasl.MechanismError
	switch {
	case errors.Is(err, sasl.ErrCancelled):
		return &StatusResponse{Type: StatusBAD, Text: "Authentication cancelled"}, nil
	case errors.Is(err, sasl.ErrBadBase64):
		return nil, badArgs("Invalid base64 in SASL response")
	case errors.As(err, &me):
		return c.loginFailed(tag, err), nil
	}
	return nil, err
}

// openIdentity returns the User of identity, whom a mechanism other than
// PLAIN and LOGIN authenticated.
func (c *Conn) openIdentity(identity string) (User, error) {
	ib, ok := c.srv.Backend.(IdentityBackend)
	if !ok || identity == "" {
		return nil, errors.New("imap: no identity to open")
	}
	return ib.OpenIdentity(c.line.Ctx, c, identity)
}

// saslTransport carries one AUTHENTICATE exchange (RFC 3501 section
// 6.2.2): the initial response from the command line, challenges as
// "+ base64" continuations, responses as lines of up to
// MaxAuthLineLength octets, kept out of the Debug output (Conn.redact).
type saslTransport struct {
	c     *Conn
	ir    string
	hasIR bool
}

func (t *saslTransport) InitialResponse() (string, bool) { return t.ir, t.hasIR }

// Challenge sends one continuation and reads the client's response line.
// A line too long or holding NUL is read to its end and refused with
// BAD, so that the session stays in step.
func (t *saslTransport) Challenge(text string) (string, error) {
	c := t.c
	c.w.Raw("+ ").Raw(text).CRLF()
	if err := c.w.Flush(); err != nil {
		return "", err
	}
	var bad netserver.BadLine
	c.line.OnBadLine = func(b netserver.BadLine) { bad = b }
	line, err := c.line.ReadLine(c.srv.limits().MaxAuthLineLength)
	if err != nil || line != nil {
		return string(line), err
	}
	if bad == netserver.LineTooLong {
		return "", badArgs("SASL response line too long")
	}
	return "", badArgs("NUL octet in SASL response")
}
