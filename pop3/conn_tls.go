package pop3

// handleSTLS answers STLS (RFC 2595 section 4). Input the client pipelined
// after the command is thrown away, not run under TLS (netserver's
// StartTLS says why). A USER given before is forgotten.
func (c *Conn) handleSTLS() Outcome {
	switch {
	case c.line.TLS != nil:
		return c.fail(ErrResponse("", "TLS already active"))
	case c.srv.TLSConfig == nil:
		return c.fail(ErrResponse("", "STLS not available"))
	}
	c.reply(OKResponse("Begin TLS negotiation"))
	if err := c.line.StartTLS(c.srv.TLSConfig); err != nil {
		return OutcomeClosed
	}
	c.user = ""
	return OutcomeTLSStarted
}
