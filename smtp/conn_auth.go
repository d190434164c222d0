package smtp

// handleStartTLS answers STARTTLS (RFC 3207 section 4). Input the client
// pipelined after the command is thrown away, not run under TLS (section
// 6: it could have been injected by an attacker), and the session starts
// over: the client must send EHLO again and prior knowledge is forgotten
// (the table leads back to StateGreeted).
func (c *Conn) handleStartTLS(arg []byte) Outcome {
	switch {
	case len(arg) > 0:
		return c.refused(syntaxError("STARTTLS takes no arguments"))
	case c.line.TLS != nil:
		return c.refused(NewReply(CodeBadSequence, EnhancedInvalidCommand, "TLS already active"))
	case c.srv.TLSConfig == nil:
		return c.refused(NewReply(CodeNotImplemented, EnhancedInvalidCommand, "STARTTLS not available"))
	}
	c.reply(NewReply(CodeReady, EnhancedOK, "Ready to start TLS"))
	if err := c.line.StartTLS(c.srv.TLSConfig); err != nil {
		return OutcomeClosed
	}
	c.resetTransaction()
	c.session.Reset(c.line.Ctx)
	c.hostname = ""
	c.identity, c.authed = "", false
	return OutcomeTLSStarted
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
func (c *Conn) loggedIn() { c.srv.core().LoggedIn(c) }
