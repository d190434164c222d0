package pop3

import (
	"context"
	"crypto/tls"
)

// handshake runs a TLS handshake bounded by TLSHandshakeTimeout and records
// the connection state.
func (c *Conn) handshake(tc *tls.Conn) error {
	ctx, cancel := context.WithTimeout(context.Background(), orDefault(c.srv.TLSHandshakeTimeout, DefaultTLSHandshakeTimeout))
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		c.srv.logger().Info("pop3: TLS handshake failed", "remote", c.io.Conn().RemoteAddr(), "err", err)
		return err
	}
	st := tc.ConnectionState()
	c.tls = &st
	return nil
}

// handleSTLS answers STLS (RFC 2595 section 4). Input the client pipelined
// after the command is thrown away, not run under TLS: an attacker could
// have injected it into the cleartext stream (the STARTTLS command
// injection of CVE-2011-0411). A USER given before is forgotten.
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
	if err := c.bw.Flush(); err != nil {
		c.state = StateClosed
		return
	}
	if n := c.br.Buffered(); n > 0 {
		c.debug("C: [%d octets sent before the TLS handshake discarded]", n)
	}
	tc := tls.Server(c.io.Conn(), c.srv.TLSConfig)
	c.io.SetConn(tc)
	c.br.Reset(c.io)
	c.bw.Reset(c.io)
	if err := c.handshake(tc); err != nil {
		c.state = StateClosed
		return
	}
	c.user = ""
}
