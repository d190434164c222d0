package pop3

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/mailwire/mailwire/internal/ctxio"
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
	// Debug, if set, receives the protocol exchange ("C: " and "S: "
	// lines), with passwords and SASL data redacted and message data
	// summarised.
	Debug io.Writer
	// InsecureAuth lets Pass and Auth send credentials over a cleartext TCP
	// connection to a host that is not on a loopback address.
	InsecureAuth bool
	// MaxListingBytes bounds the multi-line responses of LIST, UIDL and
	// CAPA, so that a hostile server cannot make the client allocate
	// without limit; zero means DefaultMaxListingBytes.
	MaxListingBytes int64

	conn       net.Conn
	br         *bufio.Reader
	bw         *bufio.Writer
	serverName string // host part of the dialled address, for TLS
	state      State
	timestamp  string       // the APOP timestamp of the greeting
	caps       Capabilities // the last CAPA, nil before
	reader     *MessageReader
	redact     bool // the line being sent holds a secret

	calls ctxio.Calls // the running call; the error that broke the connection
}

// DefaultMaxListingBytes is the default Client.MaxListingBytes: a LIST of
// a million messages fits.
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

// Dial connects to addr ("host:port", port 110) over TCP and reads the
// greeting.
func Dial(ctx context.Context, addr string) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c, err := NewClient(ctx, conn)
	if err != nil {
		return nil, err
	}
	c.serverName, _, _ = net.SplitHostPort(addr)
	return c, nil
}

// DialTLS connects to addr with implicit TLS (RFC 8314 section 3.3, port
// 995) and reads the greeting. A nil cfg, or one without ServerName,
// verifies the host of addr.
func DialTLS(ctx context.Context, addr string, cfg *tls.Config) (*Client, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	d := tls.Dialer{Config: withServerName(cfg, host)}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c, err := NewClient(ctx, conn)
	if err != nil {
		return nil, err
	}
	c.serverName = host
	return c, nil
}

// NewClient starts a session on conn and reads the greeting (RFC 1939
// section 4). A -ERR greeting closes conn and is returned as a *Response.
func NewClient(ctx context.Context, conn net.Conn) (*Client, error) {
	c := &Client{
		conn: conn,
		br:   bufio.NewReaderSize(conn, clientReadBuffer),
		bw:   bufio.NewWriter(conn),
	}
	c.calls = ctxio.Calls{Prefix: "pop3", OnFail: func() { c.transition(VerbUnknown, OutcomeClosed) }}
	err := c.do(ctx, func() error {
		r, err := c.readStatus()
		if err != nil {
			return err
		}
		if !r.OK {
			return c.fail(r)
		}
		c.timestamp = greetingTimestamp(r.Text)
		return nil
	})
	if err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
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

// withServerName returns cfg, or a copy of it, that verifies host.
func withServerName(cfg *tls.Config, host string) *tls.Config {
	if cfg == nil {
		return &tls.Config{ServerName: host}
	}
	if cfg.ServerName == "" && !cfg.InsecureSkipVerify {
		cfg = cfg.Clone()
		cfg.ServerName = host
	}
	return cfg
}

// State returns where the session stands.
func (c *Client) State() State { return c.state }

// APOPTimestamp returns the timestamp of the greeting, or "" when the
// server sent none and so does not offer APOP (RFC 1939 section 7).
func (c *Client) APOPTimestamp() string { return c.timestamp }

// TLSConnectionState returns the TLS state, and false on a cleartext
// connection.
func (c *Client) TLSConnectionState() (tls.ConnectionState, bool) {
	if tc, ok := c.conn.(*tls.Conn); ok {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

// allowed checks the state table and that no message reader is open.
func (c *Client) allowed(v Verb) error {
	if c.calls.Err() != nil {
		return c.calls.Err()
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
	err := c.do(ctx, fn)
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
	case c.calls.Err() != nil:
		return OutcomeClosed
	}
	return OutcomeRefused
}

// Close closes the connection without QUIT: the server deletes nothing
// (RFC 1939 section 6). Later calls fail.
func (c *Client) Close() error {
	c.transition(VerbUnknown, OutcomeClosed)
	c.calls.Closed()
	err := c.conn.Close()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
