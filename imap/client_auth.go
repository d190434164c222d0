package imap

import (
	"context"
	"errors"

	"github.com/mailwire/mailwire/imap/internal/wire"
	"github.com/mailwire/mailwire/internal/sasl"
)

// Noop does nothing, which lets the server send pending updates (RFC 3501
// section 6.1.2).
func (c *Client) Noop(ctx context.Context) error {
	_, err := c.run(ctx, VerbNOOP, nil, nil)
	return err
}

// Logout ends the session (RFC 3501 section 6.1.3) and closes the
// connection.
func (c *Client) Logout(ctx context.Context) error {
	_, err := c.run(ctx, VerbLOGOUT, nil, nil)
	var st *StatusResponse
	if errors.As(err, &st) && st.Type == StatusBYE {
		err = nil
	}
	if errors.Is(err, ErrClosed) {
		err = nil // the server hung up right after its tagged OK
	}
	c.conn.Close()
	<-c.closed
	return err
}

// Login identifies the user with a password (RFC 3501 section 6.2.3).
// The password is not sent over a cleartext TCP connection to a host
// other than a loopback address (ErrInsecureAuth), unless
// Options.InsecureAuth is set, nor while the capabilities known include
// LOGINDISABLED (an error wrapping ErrClientState): use StartTLS first.
func (c *Client) Login(ctx context.Context, username, password string) error {
	resp, err := c.run(ctx, VerbLOGIN, func(w *wire.Writer) {
		w.AString(username).SP().AString(password)
	}, nil)
	c.afterLogin(resp)
	return err
}

// afterLogin drops the capabilities unless the tagged OK carried them:
// they often grow after login (RFC 3501 section 6.2.3, section 7.1), and
// until Capability asks again Caps reports them unknown.
func (c *Client) afterLogin(resp *StatusResponse) {
	if resp != nil && resp.Type == StatusOK && resp.Code != CodeCapability {
		c.mu.Lock()
		c.caps = nil
		c.mu.Unlock()
	}
}

// Authenticate runs a SASL exchange (RFC 3501 section 6.2.2), sending the
// initial response on the command line when the server has SASL-IR
// (RFC 4959). A mechanism error, or a challenge that is not base64,
// cancels the exchange with "*" and is returned. A SCRAM client binds to
// the TLS channel when it can (RFC 5802 section 6) and fails an exchange
// whose server does not prove its identity (then close the client: the
// server may consider it logged in). Like Login it refuses a cleartext
// connection to a host other than a loopback address (ErrInsecureAuth)
// unless Options.InsecureAuth is set.
func (c *Client) Authenticate(ctx context.Context, mech SASLClient) error {
	// Asking for the capabilities is part of AUTHENTICATE: refused in
	// this state or over cleartext, neither is sent.
	err := c.allowed(VerbAUTHENTICATE)
	if err != nil {
		return err
	}
	caps, err := c.Caps()
	if err != nil {
		// Without the list the client can tell neither SASL-IR nor the
		// -PLUS mechanisms; a failure leaves both unknown.
		caps, _ = c.Capability(ctx)
	}
	t := &authTransport{c: c, ctx: ctx, caps: caps}
	err = sasl.RunClient(mech, t)
	if t.cmd == nil {
		return err // nothing was sent
	}
	// The write lock was held through the exchange: the continuations
	// were this command's.
	if ferr := t.c.finish(t.cmd); ferr != nil && err == nil {
		err = ferr
	}
	if !isCommandDone(t.cmd) {
		if err != nil {
			return err
		}
		_, err = c.wait(ctx, t.cmd)
		return err
	}
	c.afterLogin(t.cmd.resp)
	return err
}

func isCommandDone(cmd *command) bool {
	select {
	case <-cmd.done:
		return true
	default:
		return false
	}
}
