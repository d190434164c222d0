package pop3

import (
	"strconv"
	"strings"
)

// capabilities lists what CAPA announces now (RFC 2449 section 6). STLS is
// offered only before TLS (RFC 2595 4), USER and SASL only where a password
// may be sent (over TLS, or when AllowInsecureAuth says so) and only in
// AUTHORIZATION; LOGIN-DELAY and EXPIRE carry the server's policy.
func (c *Conn) capabilities() []string {
	caps := []string{"TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE"}
	if c.state == StateAuthorization {
		if c.srv.TLSConfig != nil && c.line.TLS == nil {
			caps = append(caps, "STLS")
		}
		if c.passwordAllowed() {
			caps = append(caps, "USER", "SASL "+strings.Join(c.authMechanisms(), " "))
		}
		caps = append(caps, "UTF8")
	}
	if c.srv.LoginDelay > 0 {
		caps = append(caps, "LOGIN-DELAY "+strconv.Itoa(int(c.srv.LoginDelay.Seconds())))
	}
	if c.srv.Expire != "" {
		caps = append(caps, "EXPIRE "+c.srv.Expire)
	}
	return append(caps, "IMPLEMENTATION mailwire")
}

// handleCapa answers CAPA with a multi-line list (RFC 2449 section 5).
func (c *Conn) handleCapa() Outcome {
	c.reply(OKResponse("Capability list follows"))
	for _, line := range c.capabilities() {
		c.bw.WriteString(line)
		c.bw.WriteString("\r\n")
		c.debug("S: %s", line)
	}
	c.endMultiLine()
	return OutcomeAccepted
}

// endMultiLine writes the terminating "." of a multi-line response (RFC
// 1939 section 3).
func (c *Conn) endMultiLine() {
	c.bw.WriteString(".\r\n")
	c.debug("S: .")
}
