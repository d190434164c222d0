package pop3

import (
	"context"
	"crypto/tls"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Caps is what a server announced in its CAPA response (RFC 2449 section
// 5): each capability, in upper case, with its parameters, such as "SASL":
// {"PLAIN", "SCRAM-SHA-256"}.
type Caps map[string][]string

// Has reports whether the capability name was announced, in any case.
func (c Caps) Has(name string) bool {
	_, ok := c[strings.ToUpper(name)]
	return ok
}

// Caps returns a copy of what the server announced in its last CAPA; it
// asks nothing of the server. NewClient and Dial send CAPA, and StartTLS
// sends it again, since the server forgets what it said before TLS (RFC
// 2595 section 4); between the upgrade and that answer, or when CAPA
// failed with an I/O error, the server has said nothing that still holds
// and Caps returns an error wrapping ErrClientState. A server without
// CAPA (-ERR) gives an empty Caps. The list depends on the state: call
// Capa after logging in for the TRANSACTION one.
func (c *Client) Caps() (Caps, error) {
	if c.caps == nil {
		return nil, fmt.Errorf("%w: no CAPA response yet", ErrClientState)
	}
	caps := maps.Clone(c.caps)
	for k, v := range caps {
		caps[k] = slices.Clone(v)
	}
	return caps, nil
}

// Supports reports whether the server announced the capability name
// (case-insensitive); it is false whenever Caps returns an error.
func (c *Client) Supports(name string) bool { return c.caps.Has(name) }

// Capa sends CAPA (RFC 2449 section 5), returns what the server announces
// now and keeps it for Caps. A server without CAPA answers -ERR, returned
// as a *Response; Caps is then empty.
func (c *Client) Capa(ctx context.Context) (Caps, error) {
	if err := c.allowed(VerbCAPA); err != nil {
		return nil, err
	}
	if err := c.call(ctx, VerbCAPA, c.capa); err != nil {
		return nil, err
	}
	return c.Caps()
}

// refreshCaps sends CAPA after the greeting or STLS, so that Caps is
// ready; a -ERR is no error here, only an empty set.
func (c *Client) refreshCaps(ctx context.Context) error {
	err := c.call(ctx, VerbCAPA, c.capa)
	if _, refused := err.(*Response); refused {
		return nil
	}
	return err
}

// capa runs CAPA and records the answer: the list, or an empty set for a
// -ERR.
func (c *Client) capa() error {
	if _, err := c.cmd("CAPA"); err != nil {
		if _, refused := err.(*Response); refused {
			c.caps = Caps{}
		}
		return err
	}
	body, err := c.readMultiLine()
	if err != nil {
		return err
	}
	caps := Caps{}
	for _, line := range lines(body) {
		f := strings.Fields(string(line))
		if len(f) > 0 {
			caps[strings.ToUpper(f[0])] = f[1:]
		}
	}
	c.caps = caps
	return nil
}

// StartTLS sends STLS and upgrades the connection (RFC 2595 section 4),
// then sends CAPA again, since what the server said before no longer
// holds. A nil cfg means Options.TLSConfig; either one without ServerName
// verifies the host that Dial connected to.
func (c *Client) StartTLS(ctx context.Context, cfg *tls.Config) error {
	if err := c.allowed(VerbSTLS); err != nil {
		return err
	}
	cfg, err := c.w.CheckStartTLS(cfg, c.opts.TLSConfig, c.serverName, ErrClientState, ErrInvalidArgument)
	if err != nil {
		return err
	}
	err = c.w.Do(ctx, func() error {
		if _, err := c.cmd("STLS"); err != nil {
			return err
		}
		c.caps = nil // what was said in cleartext no longer holds
		// Octets after the +OK fail the upgrade (RFC 2595 section 4).
		if err := c.w.Upgrade(cfg, "pop3", "STLS"); err != nil {
			return err
		}
		return nil
	})
	o := c.outcome(err)
	if o == OutcomeAccepted {
		o = OutcomeTLSStarted
	}
	c.transition(VerbSTLS, o)
	if err != nil {
		return err
	}
	return c.refreshCaps(ctx)
}
