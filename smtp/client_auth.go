package smtp

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"strings"
)

// maxAuthRounds bounds the challenges of one AUTH exchange, so that a
// server cannot keep a client answering forever.
const maxAuthRounds = 16

// Auth authenticates with the SASL mechanism a (RFC 4954). The server must
// offer AUTH with that mechanism. The initial response goes with the
// command ("=" when empty, RFC 4954 4); challenges and responses travel in
// base64; an error from a, or a challenge that is not base64, cancels the
// exchange with "*". 235 (or another 2yz) gives nil; any other reply is
// returned.
//
// Credentials are not sent over a cleartext TCP connection to a host other
// than a loopback address, unless InsecureAuth is set: use StartTLS or
// DialTLS first.
func (c *Client) Auth(ctx context.Context, a SASLClient) error {
	if err := c.allowed(VerbAUTH); err != nil {
		return err
	}
	mechs, ok := c.Extension("AUTH")
	if !ok {
		return fmt.Errorf("%w: server does not offer AUTH", ErrClientState)
	}
	if !c.InsecureAuth && !c.privateChannel() {
		return fmt.Errorf("%w: refusing to send credentials over a cleartext connection", ErrClientState)
	}
	mech, ir, err := a.Start()
	if err != nil {
		return err
	}
	if !isSASLMechName(mech) {
		return fmt.Errorf("%w: SASL mechanism %q", ErrInvalidArgument, mech)
	}
	offered := false
	for _, m := range strings.Fields(mechs) {
		offered = offered || strings.EqualFold(m, mech)
	}
	if !offered {
		return fmt.Errorf("%w: server does not offer AUTH %s (it offers %q)", ErrClientState, mech, mechs)
	}
	line := "AUTH " + mech
	if ir != nil {
		line += " " + encodeSASL(ir)
	}
	return c.do(ctx, func() error { return c.authExchange(line, mech, a) })
}

// authExchange sends the AUTH line and answers 334 challenges until the
// server gives its verdict.
func (c *Client) authExchange(line, mech string, a SASLClient) error {
	r, err := c.cmd(line)
	for round := 0; err == nil && r.Code == CodeAuthContinue; round++ {
		var resp []byte
		var cerr error
		if round == maxAuthRounds {
			cerr = fmt.Errorf("more than %d challenges", maxAuthRounds)
		} else if ch, derr := base64.StdEncoding.DecodeString(r.Text()); derr != nil {
			cerr = fmt.Errorf("malformed challenge: %w", derr)
		} else {
			resp, cerr = a.Next(ch)
		}
		if cerr != nil {
			// RFC 4954 4: "*" cancels; the server answers 501.
			if _, err := c.cmd("*"); err != nil {
				return err
			}
			return fmt.Errorf("smtp: AUTH %s cancelled: %w", mech, cerr)
		}
		c.redact = true
		r, err = c.cmd(base64.StdEncoding.EncodeToString(resp))
		c.redact = false
	}
	if err != nil {
		return err
	}
	// 235 is success (RFC 4954 6); some servers (Postfix's smtp-sink)
	// answer 250, which is a positive completion all the same.
	if r.Code/100 != 2 {
		return r
	}
	return nil
}

// encodeSASL encodes an initial response: base64, or "=" for an empty
// one (RFC 4954 4).
func encodeSASL(b []byte) string {
	if len(b) == 0 {
		return "="
	}
	return base64.StdEncoding.EncodeToString(b)
}

// isSASLMechName checks sasl-mech = 1*20mech-char, mech-char = UPPER-ALPHA
// / DIGIT / "-" / "_" (RFC 4422 3.1).
func isSASLMechName(m string) bool {
	if m == "" || len(m) > 20 {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// privateChannel reports a connection that an eavesdropper on the network
// cannot read: TLS, a loopback address, or one that is not IP at all (a
// pipe or a Unix socket).
func (c *Client) privateChannel() bool {
	if _, ok := c.TLSConnectionState(); ok {
		return true
	}
	switch a := c.conn.RemoteAddr().(type) {
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UDPAddr, *net.IPAddr:
		return false
	}
	return true
}
