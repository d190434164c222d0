package pop3

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"

	"github.com/mailwire/mailwire/internal/clientconn"
	"github.com/mailwire/mailwire/internal/sasl"
)

// validArg checks that s can be sent as one argument: not empty, no space,
// no control character.
func validArg(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return false
		}
	}
	return true
}

// checkPrivate refuses to send credentials where they could be read
// (internal/clientconn.Private), unless Options.InsecureAuth allows it.
func (c *Client) checkPrivate() error {
	if !c.opts.InsecureAuth && !clientconn.Private(c.w.Conn()) {
		return ErrInsecureAuth
	}
	return nil
}

// User sends USER name (RFC 1939 section 7).
func (c *Client) User(ctx context.Context, name string) error {
	if !validArg(name) {
		return fmt.Errorf("%w: user name %q", ErrInvalidArgument, name)
	}
	if err := c.allowed(VerbUSER); err != nil {
		return err
	}
	if err := c.checkPrivate(); err != nil {
		return err
	}
	return c.call(ctx, VerbUSER, func() error {
		_, err := c.cmd("USER " + name)
		return err
	})
}

// Pass sends PASS password after User (RFC 1939 section 7); +OK opens the
// maildrop and enters TRANSACTION.
func (c *Client) Pass(ctx context.Context, password string) error {
	if password == "" || strings.ContainsAny(password, "\r\n") {
		return fmt.Errorf("%w: password", ErrInvalidArgument)
	}
	if err := c.allowed(VerbPASS); err != nil {
		return err
	}
	if err := c.checkPrivate(); err != nil {
		return err
	}
	return c.login(ctx, VerbPASS, "PASS "+password)
}

// Login sends USER and PASS, pipelined when the server announced
// PIPELINING in its last CAPA.
func (c *Client) Login(ctx context.Context, name, password string) error {
	if !c.caps.Has("PIPELINING") {
		if err := c.User(ctx, name); err != nil {
			return err
		}
		return c.Pass(ctx, password)
	}
	if !validArg(name) || password == "" || strings.ContainsAny(password, "\r\n") {
		return fmt.Errorf("%w: user name or password", ErrInvalidArgument)
	}
	if err := c.allowed(VerbUSER); err != nil {
		return err
	}
	if err := c.checkPrivate(); err != nil {
		return err
	}
	return c.w.Do(ctx, func() error {
		c.w.WriteLine("USER " + name)
		c.w.WriteLine("PASS " + password)
		if err := c.w.Flush(); err != nil {
			return err
		}
		_, userErr := c.expectOK()
		c.transition(VerbUSER, c.outcome(userErr))
		if _, ok := userErr.(*Response); userErr != nil && !ok {
			return userErr
		}
		_, err := c.expectOK()
		c.transition(VerbPASS, c.outcome(err))
		if userErr != nil {
			return userErr
		}
		return err
	})
}

// login sends v, a command that opens the maildrop.
func (c *Client) login(ctx context.Context, v Verb, line string) error {
	return c.call(ctx, v, func() error {
		_, err := c.cmd(line)
		return err
	})
}

// APOP logs in with the MD5 digest of the greeting's timestamp and the
// shared secret (RFC 1939 section 7); the secret itself is not sent.
func (c *Client) APOP(ctx context.Context, name, secret string) error {
	if !validArg(name) {
		return fmt.Errorf("%w: user name %q", ErrInvalidArgument, name)
	}
	if err := c.allowed(VerbAPOP); err != nil {
		return err
	}
	if c.timestamp == "" {
		return fmt.Errorf("%w: the greeting has no APOP timestamp", ErrClientState)
	}
	return c.login(ctx, VerbAPOP, "APOP "+name+" "+APOPDigest(c.timestamp, secret))
}

// Auth authenticates with the SASL mechanism a (RFC 5034). The initial
// response goes with the command ("=" when empty) unless the line would
// exceed 255 octets (RFC 5034 section 4); an error from a, or a challenge
// that is not base64, cancels the exchange with "*". A SCRAM client binds
// to the TLS channel when it can (RFC 5802 section 6), for which Auth
// asks for the capabilities first when it does not know the SASL list.
// Credentials are not sent over a cleartext TCP connection to a host other
// than a loopback address (ErrInsecureAuth), unless Options.InsecureAuth
// is set.
func (c *Client) Auth(ctx context.Context, a SASLClient) error {
	if err := c.allowed(VerbAUTH); err != nil {
		return err
	}
	if err := c.checkPrivate(); err != nil {
		return err
	}
	if _, binds := a.(sasl.ChannelBinder); binds && c.caps == nil {
		// Without the list the client cannot tell whether -PLUS is
		// offered; a server without CAPA leaves it unknown.
		if _, err := c.Capa(ctx); err != nil {
			if _, ok := err.(*Response); !ok {
				return err
			}
		}
	}
	return c.w.Do(ctx, func() error { return sasl.RunClient(a, &authTransport{c}) })
}

// authTransport carries a SASL exchange in AUTH (RFC 5034 section 4):
// challenges are "+ " lines, responses lines of their own.
type authTransport struct{ c *Client }

func (t *authTransport) Channel() (*tls.ConnectionState, []string) {
	offered := t.c.caps["SASL"]
	if cs, ok := t.c.TLSConnectionState(); ok {
		return &cs, offered
	}
	return nil, offered
}

// Start sends AUTH, with the initial response when the line stays within
// 255 octets (RFC 5034 section 4).
func (t *authTransport) Start(mech, initial string) (bool, error) {
	if !validArg(mech) {
		return false, fmt.Errorf("%w: SASL mechanism %q", ErrInvalidArgument, mech)
	}
	line := "AUTH " + mech
	sent := initial != "" && len(line)+1+len(initial)+2 <= DefaultMaxLineLength
	if sent {
		line += " " + initial
	}
	t.c.w.WriteLine(line)
	return sent, t.c.w.Flush()
}

// Read turns "+" and "+ text" into a challenge, and a status line into
// AUTH's outcome, reported to the state table here: the +OK is the
// server's verdict even when the mechanism then finds that the server did
// not prove itself (sasl.ErrServerNotVerified).
func (t *authTransport) Read() (string, bool, error) {
	l, err := t.c.readLine()
	if err != nil {
		return "", false, err
	}
	if len(l) == 1 && l[0] == '+' || len(l) >= 2 && l[0] == '+' && l[1] == ' ' {
		return strings.TrimPrefix(string(l[1:]), " "), false, nil
	}
	r, err := ParseResponse(l)
	if err != nil {
		return "", false, t.c.w.Fail(err)
	}
	if !r.OK {
		t.c.transition(VerbAUTH, OutcomeRefused)
		return "", true, r
	}
	t.c.transition(VerbAUTH, OutcomeAccepted)
	return "", true, nil
}

// Write sends a response, kept out of Debug; "*" cancels (RFC 5034
// section 4).
func (t *authTransport) Write(line string) error {
	return t.c.w.WriteSecret(line)
}

// UTF8 enables UTF-8 mode (RFC 6856 section 2.1), before logging in.
func (c *Client) UTF8(ctx context.Context) error {
	if err := c.allowed(VerbUTF8); err != nil {
		return err
	}
	return c.call(ctx, VerbUTF8, func() error {
		_, err := c.cmd("UTF8")
		return err
	})
}
