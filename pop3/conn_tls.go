package pop3

import "context"

// handleSTLS answers STLS (RFC 2595 section 4). Input the client pipelined
// after the command is thrown away, not run under TLS (netserver's
// StartTLS says why). A USER given before is forgotten.
func (c *Conn) handleSTLS() {
	switch {
	case c.tls != nil:
		c.fail(ErrResponse("", "TLS already active"))
		return
	case c.srv.TLSConfig == nil:
		c.fail(ErrResponse("", "STLS not available"))
		return
	}
	c.reply(OKResponse("Begin TLS negotiation"))
	st, err := c.line.StartTLS(context.Background(), c.srv.TLSConfig)
	if err != nil {
		c.state = StateClosed
		return
	}
	c.tls = st
	c.user = ""
}
