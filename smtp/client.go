package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"strconv"
	"strings"

	"github.com/mailwire/mailwire/internal/clientconn"
)

// Client is an SMTP (RFC 5321) or LMTP (RFC 2033) client session over one
// connection. It implements PIPELINING (RFC 2920), SIZE (RFC 1870),
// 8BITMIME (RFC 6152), STARTTLS (RFC 3207), AUTH (RFC 4954),
// ENHANCEDSTATUSCODES (RFC 2034), SMTPUTF8 (RFC 6531), CHUNKING and
// BINARYMIME (RFC 3030) and the DSN parameters (RFC 3461).
//
// The state table of this package (Allowed, Transition) decides which
// command may be sent and what each reply makes of the session: a call out
// of sequence, or with an argument that breaks the RFC 5321 grammar,
// returns an error and writes nothing. A reply other than the
// expected success comes back as a *Reply. An I/O error, a malformed reply
// or the end of a call's context leaves the Client broken: the connection is
// closed and every later call returns that error.
//
// A Client is not safe for concurrent use.
type Client struct {
	opts       Options
	w          *clientconn.Wire
	lmtp       bool
	serverName string // host part of the dialled address, for TLS

	state    State
	helo     string   // the name of the last accepted EHLO/HELO
	ext      Caps     // what the last EHLO advertised; empty after HELO, nil before
	txUTF8   bool     // the open transaction uses SMTPUTF8
	accepted []string // recipients accepted in the open transaction
	dataOpen bool     // a DataWriter owns the connection
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
	// InsecureAuth lets Auth send credentials over a cleartext TCP
	// connection to a host that is not on a loopback address; without it
	// Auth fails there with ErrInsecureAuth and sends nothing.
	InsecureAuth bool
	// LocalName is the name Hello sends when given "" (default "localhost").
	LocalName string
	// NormalizeNewlines makes Data and Send convert a bare CR or LF in the
	// message to CRLF. By default such a message is refused: the connection
	// is closed without sending the terminator, so that nothing is
	// delivered, because receivers disagree on where such lines end (the
	// 2023 "SMTP smuggling" attacks).
	NormalizeNewlines bool
}

// Limits on what a server may send; RFC 5321 4.5.3.1.5 bounds a reply line
// to 512 octets, and EHLO replies rarely have more than 20 lines.
const (
	clientReadBuffer = 4096
	clientMaxLines   = 100
)

// ErrClientState is wrapped by the errors of calls that the session's
// state does not allow (RFC 5321 4.1.4), or that need an extension the
// server did not advertise; nothing was sent.
var ErrClientState = errors.New("smtp: command not allowed now")

// ErrInvalidArgument is wrapped by the errors of calls whose argument
// (address, name, parameter) does not fit the RFC 5321 grammar; nothing was
// sent.
var ErrInvalidArgument = errors.New("smtp: invalid argument")

// ErrInsecureAuth is returned by Auth on a cleartext
// connection to a host that is not on a loopback address, unless
// Options.InsecureAuth is set (RFC 4954 4: "a client SHOULD NOT send
// credentials in the clear"); nothing was sent.
var ErrInsecureAuth = errors.New("smtp: refusing to send credentials over a cleartext connection")

// ErrClosed is returned by the calls on a Client after Close or Quit, and
// wrapped by the error of a call whose server closed the connection.
var ErrClosed = errors.New("smtp: connection closed")

// Dial connects to addr ("host:port") over TCP and reads the server's 220
// greeting (RFC 5321 3.1).
func Dial(ctx context.Context, addr string, opts *Options) (*Client, error) {
	return dial(ctx, addr, opts, false)
}

// DialTLS connects to addr with implicit TLS (RFC 8314 3.3, port 465) and
// reads the greeting. Options.TLSConfig, or a default configuration,
// verifies the host of addr unless it names another ServerName.
func DialTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	return dial(ctx, addr, opts, true)
}

// dial connects (internal/clientconn) and starts the session.
func dial(ctx context.Context, addr string, opts *Options, implicitTLS bool) (*Client, error) {
	conn, host, err := clientconn.Dial(ctx, addr, opts.tlsConfig(), implicitTLS)
	if err != nil {
		return nil, err
	}
	return newClient(ctx, conn, host, opts, false)
}

// DialStartTLS connects to addr over TCP, reads the greeting, sends EHLO
// (with Options.LocalName), upgrades the connection with STARTTLS and sends
// EHLO again (RFC 3207 4, 4.2). It never goes on in cleartext: when the
// server does not offer STARTTLS (an error wrapping ErrClientState) or the
// upgrade fails, the connection is closed and the error returned.
func DialStartTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	c, err := Dial(ctx, addr, opts)
	if err != nil {
		return nil, err
	}
	if err := c.Hello(ctx, ""); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.StartTLS(ctx, nil); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// NewClient starts an SMTP session on conn, for example a net.Pipe in a
// test or a connection a proxy handed over, and reads the greeting within
// ctx. A greeting other than 220 (such as 554, RFC 5321 3.1) closes conn
// and is returned as a *Reply. StartTLS verifies Options.TLSConfig's
// ServerName, since there is no dialled host.
func NewClient(ctx context.Context, conn net.Conn, opts *Options) (*Client, error) {
	return newClient(ctx, conn, "", opts, false)
}

// NewLMTPClient starts an LMTP session (RFC 2033) on conn: Hello sends LHLO
// and the end of the data gets one reply per accepted recipient.
func NewLMTPClient(ctx context.Context, conn net.Conn, opts *Options) (*Client, error) {
	return newClient(ctx, conn, "", opts, true)
}

func newClient(ctx context.Context, conn net.Conn, host string, opts *Options, lmtp bool) (*Client, error) {
	c := &Client{
		lmtp:       lmtp,
		serverName: host,
		state:      StateGreeted,
	}
	if opts != nil {
		c.opts = *opts
	}
	c.w = clientconn.NewWire(conn, clientReadBuffer, "smtp", func() { c.transition(VerbUnknown, OutcomeClosed) })
	c.w.Debug, c.w.Redact = c.opts.Debug, redactAuth
	err := c.w.Do(ctx, func() error { return c.expect(CodeReady) })
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

// allowed checks the state table and that no DataWriter is open.
func (c *Client) allowed(v Verb) error {
	if c.w.Err() != nil {
		return c.w.Err()
	}
	if c.dataOpen {
		return fmt.Errorf("%w: %s while message data is being sent", ErrClientState, v)
	}
	if !Allowed(c.state, v) {
		return fmt.Errorf("%w: %s in state %s", ErrClientState, v, c.state)
	}
	return nil
}

// transition moves the session to the state the table gives for v ended
// with outcome o (Transition). It is the only writer of c.state: the
// reply that decides a command reaches it through answered, a broken or
// closed connection as OutcomeClosed. AUTH, which no reply moves (RFC
// 4954 4), reports none.
func (c *Client) transition(v Verb, o Outcome) { c.state, _ = Transition(c.state, v, o) }

// Hello sends EHLO (LHLO for LMTP) with name, or Options.LocalName when name is "",
// and records the extensions the server advertises (RFC 5321 4.1.1.1). A
// server that answers 500 or 502 to EHLO gets HELO instead (RFC 5321 3.2)
// and is treated as offering no extension. name must be a domain or an
// address literal.
func (c *Client) Hello(ctx context.Context, name string) error {
	if name == "" {
		name = c.opts.LocalName
	}
	if name == "" {
		name = "localhost"
	}
	if !validDomain([]byte(name), false) && !validAddressLiteral([]byte(name)) {
		return fmt.Errorf("%w: EHLO name %q", ErrInvalidArgument, name)
	}
	verb := VerbEHLO
	if c.lmtp {
		verb = VerbLHLO
	}
	if err := c.allowed(verb); err != nil {
		return err
	}
	return c.w.Do(ctx, func() error { return c.hello(verb, name) })
}

// hello runs EHLO or LHLO and, for SMTP, the HELO fallback.
func (c *Client) hello(verb Verb, name string) error {
	r, err := c.cmd(verb.String() + " " + name)
	if err != nil {
		return err
	}
	if !c.lmtp && (r.Code == CodeSyntaxError || r.Code == CodeNotImplemented) {
		verb = VerbHELO
		if r, err = c.cmd("HELO " + name); err != nil {
			return err
		}
	}
	if err := c.answered(verb, r, CodeOK); err != nil {
		return err
	}
	c.ext = Caps{}
	if verb != VerbHELO {
		c.ext = parseEHLO(r.Lines[1:])
	}
	c.helo = name
	c.endTransaction()
	return nil
}

// parseEHLO reads the ehlo-lines of an EHLO reply (RFC 5321 4.1.1.1):
// keyword, then parameters after a space. The pre-standard "AUTH=" form
// that some servers still send is read as AUTH when no AUTH line exists.
func parseEHLO(lines []string) Caps {
	ext := make(Caps, len(lines))
	var oldAuth string
	for _, l := range lines {
		kw, param, _ := strings.Cut(l, " ")
		kw = strings.ToUpper(kw)
		if rest, ok := strings.CutPrefix(kw, "AUTH="); ok {
			oldAuth = strings.TrimSpace(rest + " " + param)
			continue
		}
		if kw != "" {
			ext[kw] = param
		}
	}
	if _, ok := ext["AUTH"]; !ok && oldAuth != "" {
		ext["AUTH"] = oldAuth
	}
	return ext
}

// Caps is what a server advertised in its EHLO reply (RFC 5321 4.1.1.1):
// each keyword, in upper case, with its parameters ("" when it has none),
// such as "SIZE": "10240000" or "AUTH": "PLAIN LOGIN".
type Caps map[string]string

// Has reports whether the server advertised the keyword name, in any case.
func (c Caps) Has(name string) bool {
	_, ok := c[strings.ToUpper(name)]
	return ok
}

// Caps returns a copy of what the server advertised in its last EHLO
// reply; it asks nothing of the server. Before Hello, and after StartTLS
// until its second EHLO has been answered, the server has said nothing
// that still holds (RFC 3207 4.2), and Caps returns an error wrapping
// ErrClientState. After a HELO fallback it returns an empty Caps.
func (c *Client) Caps() (Caps, error) {
	if c.ext == nil {
		return nil, fmt.Errorf("%w: no EHLO reply yet", ErrClientState)
	}
	return maps.Clone(c.ext), nil
}

// Supports reports whether the server advertised the EHLO keyword name
// (case-insensitive); it is false whenever Caps returns an error.
func (c *Client) Supports(name string) bool { return c.ext.Has(name) }

// MaxMessageSize returns the limit the server declared with SIZE (RFC 1870
// 4). ok is false when it declared none; "SIZE 0" also means no limit.
func (c *Client) MaxMessageSize() (int64, bool) {
	p, ok := c.ext["SIZE"]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(p, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// TLSConnectionState returns the TLS state of the connection, after
// StartTLS or on a connection from DialTLS.
func (c *Client) TLSConnectionState() (tls.ConnectionState, bool) {
	return c.w.TLS()
}

// StartTLS upgrades the connection (RFC 3207). It needs Hello first and
// the STARTTLS extension. A nil cfg means Options.TLSConfig; either one
// without ServerName verifies the host that Dial connected to. Afterwards
// it sends EHLO again, since the server forgets what it said before (RFC
// 3207 4.2).
func (c *Client) StartTLS(ctx context.Context, cfg *tls.Config) error {
	if err := c.allowed(VerbSTARTTLS); err != nil {
		return err
	}
	if !c.Supports("STARTTLS") {
		return fmt.Errorf("%w: server does not offer STARTTLS", ErrClientState)
	}
	cfg, err := c.w.CheckStartTLS(cfg, c.opts.TLSConfig, c.serverName, ErrClientState, ErrInvalidArgument)
	if err != nil {
		return err
	}
	return c.w.Do(ctx, func() error {
		if err := c.command(VerbSTARTTLS, "STARTTLS", CodeReady); err != nil {
			return err
		}
		// Octets after the 220 fail the upgrade (RFC 3207 6).
		if err := c.w.Upgrade(cfg, "smtp", "STARTTLS"); err != nil {
			return err
		}
		c.transition(VerbSTARTTLS, OutcomeTLSStarted)
		c.ext = nil
		verb := VerbEHLO
		if c.lmtp {
			verb = VerbLHLO
		}
		return c.hello(verb, c.helo)
	})
}

// Reset sends RSET (RFC 5321 4.1.1.5), aborting any open transaction.
func (c *Client) Reset(ctx context.Context) error {
	if err := c.allowed(VerbRSET); err != nil {
		return err
	}
	return c.w.Do(ctx, c.rset)
}

// rset sends RSET and, once it is accepted, forgets the transaction.
func (c *Client) rset() error {
	if err := c.command(VerbRSET, "RSET", CodeOK); err != nil {
		return err
	}
	c.endTransaction()
	return nil
}

// Noop sends NOOP (RFC 5321 4.1.1.9), which keeps the session alive.
func (c *Client) Noop(ctx context.Context) error {
	if err := c.allowed(VerbNOOP); err != nil {
		return err
	}
	return c.w.Do(ctx, func() error { return c.command(VerbNOOP, "NOOP", CodeOK) })
}

// Verify sends VRFY (RFC 5321 4.1.1.6) for a mailbox or a user name (an
// atom or quoted string). 250, 251 and 252 ("cannot verify, but will try")
// give nil.
func (c *Client) Verify(ctx context.Context, addr string) error {
	if !ValidAddress(addr, false) && localPartEnd([]byte(addr), false) != len(addr) {
		return fmt.Errorf("%w: VRFY argument %q", ErrInvalidArgument, addr)
	}
	if err := c.allowed(VerbVRFY); err != nil {
		return err
	}
	return c.w.Do(ctx, func() error {
		return c.command(VerbVRFY, "VRFY "+addr, CodeOK, CodeUserNotLocalForwarded, CodeCannotVerify)
	})
}

// Quit sends QUIT (RFC 5321 4.1.1.10), reads the 221 and closes the
// connection, whatever the reply.
func (c *Client) Quit(ctx context.Context) error {
	if err := c.allowed(VerbQUIT); err != nil {
		return err
	}
	err := c.w.Do(ctx, func() error { return c.command(VerbQUIT, "QUIT", CodeClosing) })
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close closes the connection without QUIT. Later calls return ErrClosed,
// or the error that broke the client before.
func (c *Client) Close() error {
	return c.w.Close(ErrClosed)
}

// endTransaction forgets the open transaction (RFC 5321 4.1.1.5, 3.3).
func (c *Client) endTransaction() {
	c.txUTF8 = false
	c.accepted = c.accepted[:0]
}
