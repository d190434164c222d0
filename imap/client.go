package imap

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/mailwire/mailwire/imap/internal/wire"
	"github.com/mailwire/mailwire/internal/clientconn"
)

// Options configure a Client. A nil *Options, like the zero value, takes
// every default.
type Options struct {
	// TLSConfig is used by DialTLS, DialStartTLS, and StartTLS when it is
	// given no configuration of its own. nil means a default configuration;
	// an empty ServerName is the host of the dialled address.
	TLSConfig *tls.Config
	// Debug, when set, receives the protocol exchange from the greeting on,
	// as "C: " and "S: " lines, one Write each; credentials are replaced by
	// "***" and literals by "[N octets]".
	Debug io.Writer
	// InsecureAuth lets Login and Authenticate send credentials over a
	// cleartext TCP connection to a host that is not on a loopback address;
	// without it they fail there with ErrInsecureAuth and send nothing.
	InsecureAuth bool
	// Unilateral receives the responses no command asked for (RFC 3501
	// section 7: EXISTS, EXPUNGE, FETCH flag changes, ALERT, BYE ...).
	// Its functions run on the connection's reading goroutine and must not
	// issue commands on the same client.
	Unilateral UnilateralHandler
	// MaxLine, MaxLiteral and MaxDepth bound what the client reads; zero
	// takes the codec's defaults (64 KiB lines, 1 GiB literals, 64 levels).
	MaxLine    int
	MaxLiteral int64
	MaxDepth   int
	// CancelTimeout is how long a FETCH, STORE or IDLE whose context
	// ended may still take to finish on the wire; zero means
	// DefaultCancelTimeout. See Client.
	CancelTimeout time.Duration
}

// Client is an IMAP client connection. Its methods may be called from
// several goroutines: commands are pipelined and their tagged responses
// matched to them (RFC 3501 section 5.5). The state table says which
// command may be sent and where its outcome leads: a command the state
// does not allow, as it stands when the command is about to be written,
// returns an error wrapping ErrClientState and sends nothing. A NO or BAD
// comes back as a *StatusResponse (errors.As); the session goes on. A
// malformed response (ErrMalformedResponse) or the end of the connection
// closes the client, and every later call returns that error or
// ErrClosed.
type Client struct {
	conn       net.Conn
	serverName string // host part of the dialled address, for TLS
	opts       Options
	debug      *clientDebug // nil without Options.Debug
	r          *wire.Reader
	w          *wire.Writer

	writeMu     sync.Mutex // held while one command is written, literals included
	lastWritten *command   // the command being written; guarded by writeMu
	saslLines   bool       // an AUTHENTICATE exchange is being written; guarded by writeMu
	writeCtx    context.Context
	contCh      chan string

	greeted  chan struct{}
	greeting *StatusResponse
	closed   chan struct{}
	quit     chan struct{} // closed by Close: wakes a reader waiting on a consumer
	quitOnce sync.Once

	// offer is the reading goroutine's copy of pending while it offers
	// an untagged response, and resp the response itself; both are its
	// alone and reused, which saves two allocations per response (one
	// per message of a large FETCH). No handler keeps resp past its call.
	offer []*command
	resp  untagged

	mu      sync.Mutex
	pending []*command
	tagSeq  uint64
	err     error // why the connection ended
	state   State
	caps    Caps
	enabled Caps
	mailbox *SelectedMailbox
}

// Dial connects to addr ("host:port", port 143) over TCP and waits for
// the greeting (NewClient).
func Dial(ctx context.Context, addr string, opts *Options) (*Client, error) {
	return dial(ctx, addr, opts, dialPlain)
}

// DialTLS connects to addr with implicit TLS (RFC 8314 section 3.3, port
// 993) and waits for the greeting. Options.TLSConfig, or a default
// configuration, verifies the host of addr unless it names another
// ServerName.
func DialTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	return dial(ctx, addr, opts, dialTLS)
}

// DialStartTLS connects to addr over TCP, waits for the greeting and
// upgrades the connection with STARTTLS (RFC 3501 section 6.2.1), after
// which it asks for the capabilities again. It never goes on in
// cleartext: when the server refuses STARTTLS or the upgrade fails, the
// connection is closed and the error returned.
func DialStartTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	return dial(ctx, addr, opts, dialStartTLS)
}

// How dial secures the connection.
const (
	dialPlain    = iota
	dialTLS      // from the first octet
	dialStartTLS // with STARTTLS after the greeting
)

// dial connects (internal/clientconn), starts the session and, for
// dialStartTLS, upgrades it.
func dial(ctx context.Context, addr string, opts *Options, mode int) (*Client, error) {
	var cfg *tls.Config
	if opts != nil {
		cfg = opts.TLSConfig
	}
	conn, host, err := clientconn.Dial(ctx, addr, cfg, mode == dialTLS)
	if err != nil {
		return nil, err
	}
	c, err := newClient(ctx, conn, host, opts)
	if err == nil && mode == dialStartTLS {
		if err = c.StartTLS(ctx, nil); err != nil {
			c.Close()
			c = nil
		}
	}
	return c, err
}

// NewClient starts a session on a connection the caller opened (a
// net.Pipe in a test, one a proxy hands over): it waits within ctx for the
// greeting (RFC 3501 section 7.1), which Greeting returns from then on.
// OK leaves the session not authenticated and PREAUTH authenticated
// (section 7.1.4); a BYE greeting (section 7.1.5) closes conn and is
// returned as a *StatusResponse. With no dialled host to verify, StartTLS
// needs the ServerName of Options.TLSConfig or of its own configuration.
func NewClient(ctx context.Context, conn net.Conn, opts *Options) (*Client, error) {
	return newClient(ctx, conn, "", opts)
}

func newClient(ctx context.Context, conn net.Conn, host string, opts *Options) (*Client, error) {
	c := startClient(conn, host, opts)
	if err := c.awaitGreeting(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// startClient sets up a Client on conn and starts its reading goroutine,
// which reads the greeting first.
func startClient(conn net.Conn, host string, opts *Options) *Client {
	c := &Client{
		conn:       conn,
		serverName: host,
		contCh:     make(chan string, 1),
		greeted:    make(chan struct{}),
		closed:     make(chan struct{}),
		quit:       make(chan struct{}),
		enabled:    Caps{},
	}
	if opts != nil {
		c.opts = *opts
	}
	lim := wire.Limits{MaxLine: c.opts.MaxLine, MaxLiteral: c.opts.MaxLiteral, MaxDepth: c.opts.MaxDepth}
	rd, wr := c.transport(conn, conn)
	// A 64 KiB buffer takes a burst of FETCH responses in a quarter of
	// the read calls the codec's default 16 KiB would need.
	c.r = wire.NewReader(bufio.NewReaderSize(rd, 64<<10), lim)
	c.w = wire.NewWriter(wr)
	c.w.Continue = c.awaitContinuation
	go c.readLoop()
	return c
}

// transport adds the Debug tap to a reader and writer pair.
func (c *Client) transport(rd io.Reader, wr io.Writer) (io.Reader, io.Writer) {
	if c.opts.Debug != nil {
		if c.debug == nil {
			c.debug = newClientDebug(c.opts.Debug)
		}
		rd = io.TeeReader(rd, receivedTap{c})
		// Traced before it is sent, so that the line comes before the
		// answer to it.
		wr = io.MultiWriter(sentTap{c}, wr)
	}
	return rd, wr
}

// awaitGreeting waits for the server's greeting (RFC 3501 section 7.1)
// and returns a BYE as the error.
func (c *Client) awaitGreeting(ctx context.Context) error {
	select {
	case <-c.greeted:
	case <-c.closed:
		return c.closeErr()
	case <-ctx.Done():
		return ctx.Err()
	}
	return c.greeting.Err()
}

// Greeting returns the server's greeting (RFC 3501 section 7.1), which
// NewClient and the Dial functions waited for.
func (c *Client) Greeting() *StatusResponse {
	select {
	case <-c.greeted:
		return c.greeting
	default:
		return nil
	}
}

// State returns the connection state (RFC 3501 section 3).
func (c *Client) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Mailbox returns what the client knows of the selected mailbox, or nil.
func (c *Client) Mailbox() *SelectedMailbox {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mailbox == nil {
		return nil
	}
	m := *c.mailbox
	return &m
}

// Close closes the connection without LOGOUT; pending commands fail with
// ErrClosed.
func (c *Client) Close() error {
	c.quitOnce.Do(func() { close(c.quit) })
	err := c.conn.Close()
	<-c.closed
	return err
}

func (c *Client) closeErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeErrLocked()
}

// closeErrLocked is closeErr with c.mu held. A BYE greeting is the reason
// for whatever follows: the server refused the session and closes (RFC
// 3501 section 7.1.5).
func (c *Client) closeErrLocked() error {
	if c.greeting != nil && c.greeting.Type == StatusBYE {
		return c.greeting
	}
	if c.err == nil || errors.Is(c.err, net.ErrClosed) || errors.Is(c.err, io.EOF) || errors.Is(c.err, io.ErrUnexpectedEOF) {
		return ErrClosed
	}
	return c.err
}

// refusal returns an error wrapping ErrClientState when the state table
// allows v neither in the current state nor in the state the commands
// still in flight lead to if they succeed, nil otherwise: commands may be
// pipelined (RFC 3501 section 5.5), so a FETCH written right behind an
// unanswered SELECT is legal. c.mu is held.
func (c *Client) refusal(v Verb) error {
	if Allowed(c.state, v) {
		return nil
	}
	expected := c.state
	for _, p := range c.pending {
		expected, _ = Transition(expected, p.verb, OutcomeAccepted)
	}
	if Allowed(expected, v) {
		return nil
	}
	return fmt.Errorf("%w: %s in the %s state", ErrClientState, v, c.state)
}

// allowed returns the error a command v would meet in begin, the end of
// the connection or the state table's refusal, for calls that have work
// to do before they write the command.
func (c *Client) allowed(v Verb) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.allowedLocked(v)
}

// allowedLocked is allowed with c.mu held. LOGIN and AUTHENTICATE carry
// credentials, sent only where they cannot be read
// (internal/clientconn.Private) unless Options.InsecureAuth allows it;
// LOGIN is never sent while the server advertises LOGINDISABLED (RFC
// 3501 section 6.2.3: "A client implementation MUST NOT send a LOGIN
// command if the LOGINDISABLED capability is advertised").
func (c *Client) allowedLocked(v Verb) error {
	if c.err != nil || c.state == StateLogout {
		return c.closeErrLocked()
	}
	if err := c.refusal(v); err != nil {
		return err
	}
	if (v == VerbLOGIN || v == VerbAUTHENTICATE) && !c.opts.InsecureAuth && !clientconn.Private(c.conn) {
		return ErrInsecureAuth
	}
	if v == VerbLOGIN && c.caps.Has(CapLoginDisabled) {
		return fmt.Errorf("%w: the server advertises LOGINDISABLED", ErrClientState)
	}
	return nil
}

// transition moves the session on after v ended with outcome o; it is the
// only place the Client's state changes after the greeting. c.mu is held.
func (c *Client) transition(v Verb, o Outcome) {
	c.state, _ = Transition(c.state, v, o)
}

// Closed is closed when the connection has ended.
func (c *Client) Closed() <-chan struct{} { return c.closed }
