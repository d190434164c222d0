package smtp

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"

	"github.com/mailwire/mailwire/internal/clientconn"
	"github.com/mailwire/mailwire/internal/sasl"
)

// Auth authenticates with the SASL mechanism a (RFC 4954). The server must
// offer AUTH with that mechanism. The initial response goes with the
// command ("=" when empty, RFC 4954 4); challenges and responses travel in
// base64; an error from a, or a challenge that is not base64, cancels the
// exchange with "*". 235 (or another 2yz) gives nil; any other reply is
// returned. A SCRAM client binds to the TLS channel when it can (RFC 5802
// 6) and fails an exchange whose server does not prove its identity.
//
// Credentials are not sent over a cleartext TCP connection to a host other
// than a loopback address (ErrInsecureAuth), unless Options.InsecureAuth is
// set: use DialStartTLS, StartTLS or DialTLS first.
func (c *Client) Auth(ctx context.Context, a SASLClient) error {
	if err := c.allowed(VerbAUTH); err != nil {
		return err
	}
	mechs, ok := c.ext["AUTH"]
	if !ok {
		return fmt.Errorf("%w: server does not offer AUTH", ErrClientState)
	}
	if !c.opts.InsecureAuth && !clientconn.Private(c.w.Conn()) {
		return ErrInsecureAuth
	}
	t := &authTransport{c: c, offered: strings.Fields(mechs)}
	return c.w.Do(ctx, func() error { return sasl.RunClient(a, t) })
}

// authTransport carries a SASL exchange in AUTH (RFC 4954 4): challenges
// are 334 replies, responses are lines of their own.
type authTransport struct {
	c       *Client
	offered []string
}

func (t *authTransport) Channel() (*tls.ConnectionState, []string) {
	if cs, ok := t.c.TLSConnectionState(); ok {
		return &cs, t.offered
	}
	return nil, t.offered
}

// Start sends AUTH with the initial response, which SMTP always carries
// on the command line.
func (t *authTransport) Start(mech, initial string) (bool, error) {
	if !isSASLMechName(mech) {
		return false, fmt.Errorf("%w: SASL mechanism %q", ErrInvalidArgument, mech)
	}
	offered := false
	for _, m := range t.offered {
		offered = offered || strings.EqualFold(m, mech)
	}
	if !offered {
		return false, fmt.Errorf("%w: server does not offer AUTH %s (it offers %q)", ErrClientState, mech, strings.Join(t.offered, " "))
	}
	line := "AUTH " + mech
	if initial != "" {
		line += " " + initial
	}
	t.c.w.WriteLine(line)
	return initial != "", t.c.w.Flush()
}

// Read turns a 334 into a challenge and any other reply into the outcome:
// 235 is success (RFC 4954 6), and so is another 2yz, which some servers
// (Postfix's smtp-sink) send.
func (t *authTransport) Read() (string, bool, error) {
	r, err := t.c.read()
	switch {
	case err != nil:
		return "", false, err
	case r.Code == CodeAuthContinue:
		return r.Text(), false, nil
	case r.Code/100 != 2:
		return "", true, r
	}
	return "", true, nil
}

// Write sends a response, kept out of Debug; "*" cancels (RFC 4954 4).
func (t *authTransport) Write(line string) error {
	return t.c.w.WriteSecret(line)
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
