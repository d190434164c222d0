package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/mailwire/mailwire/imap/internal/wire"
	"github.com/mailwire/mailwire/internal/clientconn"
	"github.com/mailwire/mailwire/internal/sasl"
)

// Capability asks the server for its capabilities (RFC 3501 section
// 6.1.1) and caches them.
func (c *Client) Capability(ctx context.Context) (Caps, error) {
	if _, err := c.run(ctx, VerbCAPABILITY, nil, nil); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.caps, nil
}

// Caps returns the cached capabilities, asking the server when they are
// not known (after STARTTLS or a login that did not report them).
func (c *Client) Caps(ctx context.Context) (Caps, error) {
	c.mu.Lock()
	caps := c.caps
	c.mu.Unlock()
	if caps != nil {
		return caps, nil
	}
	return c.Capability(ctx)
}

// Has reports whether the server has capability name, asking when the
// capabilities are not cached.
func (c *Client) Has(ctx context.Context, name Cap) bool {
	caps, err := c.Caps(ctx)
	return err == nil && caps.Has(name)
}

// Enabled reports whether an extension was enabled with ENABLE.
func (c *Client) Enabled(name Cap) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.enabled.Has(name)
}

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

// StartTLS upgrades the connection (RFC 3501 section 6.2.1). A nil cfg
// means Options.TLSConfig; either one without ServerName verifies the
// host that Dial connected to. Octets the server sent after its OK fail
// the upgrade, since they would pass for responses sent over TLS. The
// capabilities the server announced before are dropped, and StartTLS asks
// for them again, as the section recommends.
func (c *Client) StartTLS(ctx context.Context, cfg *tls.Config) error {
	if err := c.allowed(VerbSTARTTLS); err != nil {
		return err
	}
	c.mu.Lock()
	_, isTLS := c.conn.(*tls.Conn)
	c.mu.Unlock()
	if isTLS {
		return fmt.Errorf("%w: TLS is already active", ErrClientState)
	}
	cfg, err := clientconn.UpgradeConfig(cfg, c.opts.TLSConfig, c.serverName)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidArgument, err)
	}
	cmd, err := c.begin(ctx, VerbSTARTTLS, nil)
	if err != nil {
		return err
	}
	cmd.resume = make(chan struct{})
	defer close(cmd.resume)
	if err := c.end(cmd); err != nil {
		return err
	}
	if _, err := c.wait(ctx, cmd); err != nil {
		return err
	}
	// The reading goroutine waits on resume: c.r is still.
	tc, err := clientconn.Handshake(ctx, c.conn, cfg, c.r.Buffered(), "imap", "STARTTLS")
	if err != nil {
		c.conn.Close()
		return err
	}
	c.writeMu.Lock()
	c.mu.Lock()
	c.conn = tc
	c.caps = nil
	c.transition(VerbSTARTTLS, OutcomeTLSStarted)
	rd, wr := c.transport(tc, tc)
	c.r.Reset(rd)
	c.w.Reset(wr)
	c.mu.Unlock()
	c.writeMu.Unlock()
	return nil
}

// Login identifies the user with a password (RFC 3501 section 6.2.3).
// The password is not sent over a cleartext TCP connection to a host
// other than a loopback address (ErrInsecureAuth), unless
// Options.InsecureAuth is set.
func (c *Client) Login(ctx context.Context, username, password string) error {
	c.debug.hide(true)
	defer c.debug.hide(false)
	resp, err := c.run(ctx, VerbLOGIN, func(w *wire.Writer) {
		w.AString(username).SP().AString(password)
	}, nil)
	c.afterLogin(resp)
	return err
}

// afterLogin drops cached capabilities unless the tagged OK carried them:
// they often grow after login (RFC 3501 section 6.2.3, section 7.1).
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
	// this state, neither is sent.
	err := c.allowed(VerbAUTHENTICATE)
	if err != nil {
		return err
	}
	caps, _ := c.Caps(ctx) // unknown capabilities: no SASL-IR, offer unknown
	c.debug.hide(true)
	defer c.debug.hide(false)
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
