package imap

import (
	"context"
	"crypto/tls"
	"fmt"
	"maps"

	"github.com/mailwire/mailwire/internal/clientconn"
)

// Caps returns a copy of the capabilities the server announced last (RFC
// 3501 section 7.2.1); it asks nothing of the server. The client learns
// them from the [CAPABILITY] code of the greeting and of a tagged OK, and
// from CAPABILITY responses, which Capability asks for. After StartTLS,
// which drops what the server said in cleartext and asks again (section
// 6.2.1), and after a login whose OK does not list them, since they often
// change then (section 6.2.3), nothing is known until an answer comes:
// Caps then returns an error wrapping ErrClientState, and Capability is
// the way to ask. A greeting without the code leaves them unknown too.
func (c *Client) Caps() (Caps, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.caps == nil {
		return nil, fmt.Errorf("%w: no CAPABILITY response yet", ErrClientState)
	}
	return maps.Clone(c.caps), nil
}

// Supports reports whether the server announced the capability name
// (case-insensitive); it is false whenever Caps returns an error.
func (c *Client) Supports(name Cap) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.caps.Has(name)
}

// Capability sends CAPABILITY (RFC 3501 section 6.1.1), returns what the
// server announces now and keeps it for Caps and Supports.
func (c *Client) Capability(ctx context.Context) (Caps, error) {
	if _, err := c.run(ctx, VerbCAPABILITY, nil, nil); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.caps == nil {
		c.caps = Caps{} // an OK without the list announces nothing
	}
	c.mu.Unlock()
	return c.Caps()
}

// Enabled reports whether an extension was enabled with ENABLE.
func (c *Client) Enabled(name Cap) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.enabled.Has(name)
}

// StartTLS upgrades the connection (RFC 3501 section 6.2.1). A nil cfg
// means Options.TLSConfig; either one without ServerName verifies the
// host that Dial connected to. Octets the server sent after its OK fail
// the upgrade, since they would pass for responses sent over TLS. The
// capabilities the server announced before are dropped, and StartTLS asks
// for them again, as the section recommends; a NO or BAD to that
// CAPABILITY is no error here and leaves them unknown.
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
	if err := c.upgrade(ctx, cfg); err != nil {
		return err
	}
	if _, err := c.Capability(ctx); err != nil {
		if _, refused := err.(*StatusResponse); !refused {
			return err
		}
	}
	return nil
}

// upgrade sends STARTTLS and, once the server said OK, runs the TLS
// handshake and switches the connection to it.
func (c *Client) upgrade(ctx context.Context, cfg *tls.Config) error {
	return c.runSwitching(ctx, VerbSTARTTLS, "", func() error {
		// Octets after the OK fail the upgrade.
		tc, err := clientconn.Handshake(ctx, c.conn, cfg, c.r.Buffered(), "imap", "STARTTLS")
		if err != nil {
			c.conn.Close()
			return err
		}
		c.writeMu.Lock()
		c.mu.Lock()
		c.conn = tc
		c.caps = nil // what was said in cleartext no longer holds
		c.transition(VerbSTARTTLS, OutcomeTLSStarted)
		rd, wr := c.transport(tc, tc)
		c.r.Reset(rd)
		c.w.Reset(wr)
		c.mu.Unlock()
		c.writeMu.Unlock()
		return nil
	})
}
