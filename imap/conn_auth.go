package imap

import "errors"

// handleStartTLS answers STARTTLS (RFC 3501 section 6.2.1). Input the
// client pipelined after the command is thrown away, not run under TLS
// (RFC 2595 section 3.1: it could have been injected by an attacker).
func (c *Conn) handleStartTLS(tag string) (*StatusResponse, error) {
	if err := c.eol(); err != nil {
		return nil, err
	}
	switch {
	case c.srv.TLSConfig == nil:
		return &StatusResponse{Type: StatusBAD, Text: "STARTTLS not available"}, nil
	case c.line.TLS != nil:
		return &StatusResponse{Type: StatusBAD, Text: "TLS already active"}, nil
	}
	c.tagged(tag, ok("Begin TLS negotiation now"))
	err := c.line.StartTLS(c.srv.TLSConfig)
	c.r.Reset(c.line.Transport) // and the state of the parser and writer
	c.w.Reset(c.line.Transport)
	if err != nil {
		return nil, err // the session ends (OutcomeClosed)
	}
	c.transition(VerbSTARTTLS, OutcomeTLSStarted)
	return nil, nil
}

// authAllowed reports whether credentials may be sent: over TLS, or when
// the server is told to allow cleartext (RFC 3501 section 6.2.3,
// LOGINDISABLED; RFC 8314).
func (c *Conn) authAllowed() bool { return c.line.TLS != nil || c.srv.AllowInsecureAuth }

// handleLogin answers LOGIN user password (RFC 3501 section 6.2.3).
func (c *Conn) handleLogin(tag string) (*StatusResponse, error) {
	c.redact.Store(true)
	defer c.redact.Store(false)
	if err := c.sp(); err != nil {
		return nil, err
	}
	user, err := c.astring()
	if err != nil {
		return nil, err
	}
	if err := c.sp(); err != nil {
		return nil, err
	}
	pass, err := c.astring()
	if err != nil {
		return nil, err
	}
	if err := c.eol(); err != nil {
		return nil, err
	}
	if !c.authAllowed() {
		return no(CodePrivacyRequired, "LOGIN is disabled until TLS is active"), nil
	}
	return c.login(tag, user, pass), nil
}

// login checks credentials with the backend and enters the authenticated
// state; after too many failures the session ends.
func (c *Conn) login(tag, user, pass string) *StatusResponse {
	u, err := c.srv.Backend.Login(c.line.Ctx, c, user, pass)
	if err != nil {
		return c.loginFailed(tag, err)
	}
	return c.authenticated(user, u)
}

// authenticated starts identity's session u after LOGIN or AUTHENTICATE; the
// OK it returns moves the state table to Authenticated, and carries the
// capabilities of that state (RFC 3501 section 7.1, CAPABILITY code).
func (c *Conn) authenticated(identity string, u User) *StatusResponse {
	c.user = u
	c.loggedIn(identity)
	return &StatusResponse{Type: StatusOK, Code: CodeCapability, CodeArg: c.capabilities(StateAuthenticated), Text: "Logged in"}
}

// loggedIn records a successful login of identity: the session can no
// longer be evicted to make room, the login timeout no longer applies, and
// the client's failed-login delay starts over.
func (c *Conn) loggedIn(identity string) {
	c.identity = identity
	c.srv.core().LoggedIn(c)
}

// loginFailed answers a failed LOGIN or AUTHENTICATE: a *StatusResponse
// from the backend as it is, else NO [AUTHENTICATIONFAILED] (RFC 5530
// section 3), once the server's FailureDelay lets it: the answers to one
// client's failures, on all its connections, are spaced by a delay that
// grows with each (RFC 9051 section 11.7). Responses queued before go out
// first. When the wait is cut short (shutdown, the login timeout, Close)
// the session ends without the answer. After MaxAuthFailures the
// session ends with BYE.
func (c *Conn) loginFailed(tag string, err error) *StatusResponse {
	var st *StatusResponse
	resp := no(CodeAuthenticationFailed, "Authentication failed")
	if errors.As(err, &st) {
		resp = st
	}
	if err := c.line.FailedLogin(); err != nil {
		c.closeOnError(err)
		c.transition(VerbUnknown, OutcomeClosed)
		return nil
	}
	c.failures++
	if c.failures < c.srv.limits().MaxAuthFailures {
		return resp
	}
	c.tagged(tag, resp)
	c.untagged(&StatusResponse{Type: StatusBYE, Text: "Too many authentication failures"})
	c.transition(VerbUnknown, OutcomeClosed)
	return nil
}

// handleID answers ID (RFC 2971 section 3.1) with the server's name.
func (c *Conn) handleID() (*StatusResponse, error) {
	if err := c.sp(); err != nil {
		return nil, err
	}
	if _, err := readIDParams(c.r); err != nil {
		return nil, err
	}
	if err := c.eol(); err != nil {
		return nil, err
	}
	c.w.Raw("* ID ")
	writeIDParams(c.w, map[string]string{"name": "mailwire"})
	c.w.CRLF()
	return ok("ID completed"), nil
}

// handleEnable answers ENABLE (RFC 5161 section 3.1). No extension this
// server offers needs enabling, so the ENABLED response lists none.
func (c *Conn) handleEnable() (*StatusResponse, error) {
	for c.r.Accept(' ') {
		if _, err := c.r.Atom(); err != nil {
			return nil, err
		}
	}
	if err := c.eol(); err != nil {
		return nil, err
	}
	c.w.Raw("* ENABLED").CRLF()
	return ok("ENABLE completed"), nil
}

// handleNamespace answers NAMESPACE (RFC 2342 section 5): one personal
// namespace with no prefix.
func (c *Conn) handleNamespace() (*StatusResponse, error) {
	if err := c.eol(); err != nil {
		return nil, err
	}
	writeNamespaceData(c.w, &NamespaceData{Personal: []NamespaceDescriptor{{Prefix: "", Delim: Delimiter}}})
	return ok("NAMESPACE completed"), nil
}
