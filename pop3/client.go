package pop3

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/mailwire/mailwire/internal/clientconn"
)

// Client is a POP3 client session (RFC 1939) over one connection, with
// CAPA, response codes and PIPELINING (RFC 2449), STLS (RFC 2595), SASL
// AUTH (RFC 5034), APOP and UTF8 (RFC 6856).
//
// The state table of this package (Allowed, Transition) decides which
// command may be sent and where its outcome leads: a call out of sequence returns an error wrapping ErrClientState and
// sends nothing. An -ERR comes back as a *Response (errors.As); the session
// goes on. An I/O error, a malformed response or the end of a call's
// context leaves the Client broken: the connection is closed and every
// later call returns that error.
//
// A Client is not safe for concurrent use. The reader Retr and Top return
// owns the connection until it is closed.
type Client struct {
	opts       Options
	w          *clientconn.Wire
	serverName string // host part of the dialled address, for TLS
	state      State
	timestamp  string         // the APOP timestamp of the greeting
	caps       Caps           // the last CAPA; nil before and after STLS
	reader     *MessageReader // the message being read, which owns the connection
}

// Options configure a Client. A nil *Options, like the zero value, takes
// every default.
type Options struct {
	// TLSConfig is used by DialTLS, DialStartTLS, and StartTLS when it is
	// given no configuration of its own. nil means a default configuration;
	// an empty ServerName is the host of the dialled address.
	TLSConfig *tls.Config
	// Debug, when set, receives the protocol exchange from the greeting on,
	// as "C: " and "S: " lines; credentials are replaced by "***" and
	// message data by "[N octets]".
	Debug io.Writer
	// InsecureAuth lets User, Pass, Login and Auth send credentials over a
	// cleartext TCP connection to a host that is not on a loopback address;
	// without it they fail there with ErrInsecureAuth and send nothing.
	InsecureAuth bool
	// MaxListingBytes bounds the multi-line responses of LIST, UIDL and
	// CAPA, so that a hostile server cannot make the client allocate
	// without limit; zero means DefaultMaxListingBytes.
	MaxListingBytes int64
}

// DefaultMaxListingBytes is the default Options.MaxListingBytes: a LIST
// of a million messages fits.
const DefaultMaxListingBytes = 32 << 20

// clientReadBuffer holds one status line (RFC 2449 section 4: at most 512
// octets) and more.
const clientReadBuffer = 32 << 10

// ErrClientState is wrapped by the errors of calls that the session's state
// does not allow (RFC 1939 section 3), or that need a capability the server
// did not advertise; nothing was sent.
var ErrClientState = errors.New("pop3: command not allowed now")

// ErrInvalidArgument is wrapped by the errors of calls whose argument would
// break the command syntax (a space or line end in a name, a message
// number below 1); nothing was sent.
var ErrInvalidArgument = errors.New("pop3: invalid argument")

// ErrInsecureAuth is returned by User, Pass, Login and Auth on a cleartext
// connection to a host that is not on a loopback address, unless
// Options.InsecureAuth is set (RFC 2595 section 2.2: plaintext passwords
// need a protected channel); nothing was sent.
var ErrInsecureAuth = errors.New("pop3: refusing to send credentials over a cleartext connection")

// ErrClosed is returned by the calls on a Client after Close or Quit, and
// wrapped by the error of a call whose server closed the connection.
var ErrClosed = errors.New("pop3: connection closed")

// Dial connects to addr ("host:port", port 110) over TCP, reads the
// greeting and asks for the capabilities (NewClient).
func Dial(ctx context.Context, addr string, opts *Options) (*Client, error) {
	return dial(ctx, addr, opts, false)
}

// DialTLS connects to addr with implicit TLS (RFC 8314 section 3.3, port
// 995) and starts the session as Dial does. Options.TLSConfig, or a
// default configuration, verifies the host of addr unless it names
// another ServerName.
func DialTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	return dial(ctx, addr, opts, true)
}

// DialStartTLS connects to addr over TCP, starts the session and upgrades
// the connection with STLS (RFC 2595 section 4), after which it asks for
// the capabilities again. It never goes on in cleartext: when the server
// does not offer STLS (an error wrapping ErrClientState) or the upgrade
// fails, the connection is closed and the error returned.
func DialStartTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	c, err := Dial(ctx, addr, opts)
	if err != nil {
		return nil, err
	}
	if !c.Supports("STLS") {
		c.Close()
		return nil, fmt.Errorf("%w: server does not offer STLS", ErrClientState)
	}
	if err := c.StartTLS(ctx, nil); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// dial connects (internal/clientconn) and starts the session.
func dial(ctx context.Context, addr string, opts *Options, implicitTLS bool) (*Client, error) {
	conn, host, err := clientconn.Dial(ctx, addr, opts.tlsConfig(), implicitTLS)
	if err != nil {
		return nil, err
	}
	return newClient(ctx, conn, host, opts)
}

// NewClient starts a session on conn, for example a net.Pipe in a test or
// a connection a proxy handed over: within ctx it reads the greeting (RFC
// 1939 section 4) and sends CAPA (RFC 2449 section 5), so that Caps is
// ready; a server that answers CAPA with -ERR leaves an empty Caps. A
// -ERR greeting closes conn and is returned as a *Response. StartTLS
// verifies Options.TLSConfig's ServerName, since there is no dialled host.
func NewClient(ctx context.Context, conn net.Conn, opts *Options) (*Client, error) {
	return newClient(ctx, conn, "", opts)
}

func newClient(ctx context.Context, conn net.Conn, host string, opts *Options) (*Client, error) {
	c := &Client{serverName: host}
	if opts != nil {
		c.opts = *opts
	}
	c.w = clientconn.NewWire(conn, clientReadBuffer, "pop3", func() { c.transition(VerbUnknown, OutcomeClosed) })
	c.w.Debug, c.w.Redact = c.opts.Debug, redactCommand
	err := c.w.Do(ctx, func() error {
		r, err := c.readStatus()
		if err != nil {
			return err
		}
		if !r.OK {
			return c.w.Fail(r)
		}
		c.timestamp = greetingTimestamp(r.Text)
		return nil
	})
	if err == nil {
		err = c.refreshCaps(ctx)
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// tlsConfig returns Options.TLSConfig; a nil *Options has none.
func (o *Options) tlsConfig() *tls.Config {
	if o == nil {
		return nil
	}
	return o.TLSConfig
}

// greetingTimestamp finds the APOP timestamp, a msg-id in angle brackets,
// in the greeting text (RFC 1939 section 7).
func greetingTimestamp(text string) string {
	start := strings.IndexByte(text, '<')
	if start < 0 {
		return ""
	}
	end := strings.IndexByte(text[start:], '>')
	if end < 0 || !strings.Contains(text[start:start+end], "@") {
		return ""
	}
	return text[start : start+end+1]
}

// State returns where the session stands.
func (c *Client) State() State { return c.state }

// APOPTimestamp returns the timestamp of the greeting, or "" when the
// server sent none and so does not offer APOP (RFC 1939 section 7).
func (c *Client) APOPTimestamp() string { return c.timestamp }

// TLSConnectionState returns the TLS state, and false on a cleartext
// connection.
func (c *Client) TLSConnectionState() (tls.ConnectionState, bool) {
	return c.w.TLS()
}

// allowed checks the state table and that no message reader is open.
func (c *Client) allowed(v Verb) error {
	if c.w.Err() != nil {
		return c.w.Err()
	}
	if c.reader != nil {
		return fmt.Errorf("%w: close the message reader first", ErrClientState)
	}
	if !Allowed(c.state, v) {
		return fmt.Errorf("%w: %s in the %s state", ErrClientState, v, c.state)
	}
	return nil
}

// transition moves the session on after v ended with outcome o; it is the
// only place the Client's state changes.
func (c *Client) transition(v Verb, o Outcome) {
	c.state, _ = Transition(c.state, v, o)
}

// call runs fn, the exchange of command v, as one call under ctx (do) and
// feeds its outcome to the state table.
func (c *Client) call(ctx context.Context, v Verb, fn func() error) error {
	err := c.w.Do(ctx, fn)
	c.transition(v, c.outcome(err))
	return err
}

// outcome tells what err, the result of a call, says became of its
// command: nil is +OK; an error that broke the connection closed the
// session; anything else (a -ERR, or a call that sent nothing) leaves the
// state as it was.
func (c *Client) outcome(err error) Outcome {
	switch {
	case err == nil:
		return OutcomeAccepted
	case c.w.Err() != nil:
		return OutcomeClosed
	}
	return OutcomeRefused
}

// Close closes the connection without QUIT: the server deletes nothing
// (RFC 1939 section 6). Later calls return ErrClosed, or the error that
// broke the client before.
func (c *Client) Close() error {
	return c.w.Close(ErrClosed)
}
