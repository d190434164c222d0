package imap

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"

	"github.com/mailwire/mailwire/imap/internal/wire"
	"github.com/mailwire/mailwire/internal/sasl"
)

// SASLClient is the client side of a SASL mechanism (RFC 4422), for
// AUTHENTICATE (RFC 3501 section 6.2.2). Plug in XOAUTH2 or any other
// mechanism by implementing it.
type SASLClient interface {
	// Start names the mechanism and returns the initial response, or nil
	// when it has none; a non-nil empty slice is an empty initial response.
	Start() (mech string, initial []byte, err error)
	// Next answers a server challenge.
	Next(challenge []byte) ([]byte, error)
}

// PlainAuth returns a PLAIN mechanism (RFC 4616); identity is
// usually empty.
func PlainAuth(identity, username, password string) SASLClient {
	return sasl.NewPlainClient(identity, username, password)
}

// LoginAuth returns the LOGIN mechanism.
func LoginAuth(username, password string) SASLClient {
	return sasl.NewLoginClient(username, password)
}

// XOAuth2Auth returns the XOAUTH2 mechanism with an OAuth 2.0 bearer
// token.
func XOAuth2Auth(username, token string) SASLClient {
	return sasl.NewXOAuth2Client(username, token)
}

// Capability asks the server for its capabilities (RFC 3501 section
// 6.1.1) and caches them.
func (c *Client) Capability(ctx context.Context) (Caps, error) {
	if _, err := c.run(ctx, CmdCapability, nil, nil); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.caps, nil
}

// Caps returns the cached capabilities, asking the server when they are
// not known (after STARTTLS or a login that did not report them).
func (c *Client) Caps(ctx context.Context) (Caps, error) {
	if err := c.WaitGreeting(ctx); err != nil {
		return nil, err
	}
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
	_, err := c.run(ctx, CmdNoop, nil, nil)
	return err
}

// Logout ends the session (RFC 3501 section 6.1.3) and closes the
// connection.
func (c *Client) Logout(ctx context.Context) error {
	_, err := c.run(ctx, CmdLogout, nil, nil)
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

// StartTLS upgrades the connection (RFC 3501 section 6.2.1). The cached
// capabilities are dropped, since they may change (RFC 3501 section 6.2.1,
// RFC 2595 section 3.1).
func (c *Client) StartTLS(ctx context.Context, cfg *tls.Config) error {
	cmd, err := c.begin(ctx, CmdStartTLS, nil)
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
	if cfg == nil {
		cfg = tlsConfigFor(&c.opts, c.conn.RemoteAddr().String())
	}
	tc := tls.Client(c.conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		c.conn.Close()
		return err
	}
	c.writeMu.Lock()
	c.mu.Lock()
	c.conn = tc
	c.caps = nil
	rd, wr := c.transport(tc, tc)
	c.r.Reset(rd)
	c.w.Reset(wr)
	c.mu.Unlock()
	c.writeMu.Unlock()
	return nil
}

// Login identifies the user with a password (RFC 3501 section 6.2.3).
func (c *Client) Login(ctx context.Context, username, password string) error {
	c.debug.hide(true)
	defer c.debug.hide(false)
	resp, err := c.run(ctx, CmdLogin, func(w *wire.Writer) {
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
// (RFC 4959).
func (c *Client) Authenticate(ctx context.Context, mech SASLClient) error {
	name, ir, err := mech.Start()
	if err != nil {
		return err
	}
	sasliR := c.Has(ctx, CapSASLIR)
	c.debug.hide(true)
	defer c.debug.hide(false)
	cmd, err := c.begin(ctx, CmdAuthenticate, nil)
	if err != nil {
		return err
	}
	c.w.SP().Atom(name)
	if ir != nil && sasliR {
		c.w.SP().Raw(encodeSASL(ir))
		ir = nil
	}
	// The write lock stays held through the exchange: the continuations
	// that follow are this command's.
	c.w.CRLF()
	for err == nil {
		var text string
		text, err = c.continuation(ctx, cmd)
		if err != nil {
			break
		}
		var resp []byte
		if ir != nil {
			resp, ir = ir, nil
		} else {
			challenge, derr := base64.StdEncoding.DecodeString(text)
			if derr != nil {
				resp, err = nil, derr
			} else {
				resp, err = mech.Next(challenge)
			}
		}
		if err != nil {
			c.w.Raw("*") // cancel the exchange (RFC 3501 section 6.2.2)
		} else {
			c.w.Raw(base64.StdEncoding.EncodeToString(resp))
		}
		c.w.CRLF()
	}
	var st *StatusResponse
	if errors.As(err, &st) || isCommandDone(cmd) {
		err = nil // the tagged response ended the exchange
	}
	if ferr := c.finish(cmd); ferr != nil && err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	resp, err := c.wait(ctx, cmd)
	c.afterLogin(resp)
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

// encodeSASL encodes an initial response; "=" stands for an empty one
// (RFC 4959 section 3).
func encodeSASL(b []byte) string {
	if len(b) == 0 {
		return "="
	}
	return base64.StdEncoding.EncodeToString(b)
}
