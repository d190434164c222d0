package imap

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// ErrClosed reports a command issued on, or cut short by, a closed
// connection.
var ErrClosed = errors.New("imap: connection closed")

// ErrClientState is wrapped by the errors of calls that the connection's
// state does not allow (RFC 3501 section 3 and the state table); nothing
// was sent.
var ErrClientState = errors.New("imap: command not allowed now")

// Options configure a Client. The zero value is usable.
type Options struct {
	// Unilateral receives the responses no command asked for (RFC 3501
	// section 7: EXISTS, EXPUNGE, FETCH flag changes, ALERT, BYE ...).
	// Its functions run on the connection's reading goroutine and must not
	// issue commands on the same client.
	Unilateral UnilateralHandler
	// Debug, when set, receives every byte sent and received, except the
	// credentials of LOGIN and AUTHENTICATE. Writes to it are serialised.
	Debug io.Writer
	// TLSConfig is used by DialTLS and StartTLS; nil means a default
	// configuration for the dialed host.
	TLSConfig *tls.Config
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
// returns an error wrapping ErrClientState and sends nothing.
type Client struct {
	conn  net.Conn
	opts  Options
	debug *clientDebugTap // nil without Options.Debug
	r     *wire.Reader
	w     *wire.Writer

	writeMu     sync.Mutex // held while one command is written, literals included
	lastWritten *command   // the command being written; guarded by writeMu
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

// command is one command in flight.
type command struct {
	tag  string
	verb Verb
	done chan struct{}
	resp *StatusResponse
	err  error
	// untagged is offered the untagged responses that arrive while the
	// command is pending, in order; it reports whether it consumed one.
	untagged func(u *untagged) (bool, error)
	// resume, when set, makes the reading goroutine wait after a tagged
	// OK until the caller has switched the transport (STARTTLS, COMPRESS).
	resume chan struct{}
}

// untagged is one untagged response being dispatched. For status
// responses and EXISTS, RECENT and EXPUNGE the line has been read; for the
// others the reader stands after the name and a taker reads to the CRLF.
type untagged struct {
	Name   string
	Num    uint32
	Status *StatusResponse
	r      *wire.Reader
}

// Dial connects to addr over plain TCP and waits for the greeting.
func Dial(ctx context.Context, addr string, opts *Options) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return start(ctx, conn, opts)
}

// DialTLS connects to addr with implicit TLS (port 993, RFC 8314 section
// 3.3) and waits for the greeting.
func DialTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	d := tls.Dialer{Config: tlsConfigFor(opts, addr)}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return start(ctx, conn, opts)
}

// DialStartTLS connects to addr over plain TCP and upgrades it with
// STARTTLS (RFC 3501 section 6.2.1) before returning.
func DialStartTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	c, err := Dial(ctx, addr, opts)
	if err != nil {
		return nil, err
	}
	if err := c.StartTLS(ctx, tlsConfigFor(opts, addr)); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func tlsConfigFor(opts *Options, addr string) *tls.Config {
	var cfg *tls.Config
	if opts != nil && opts.TLSConfig != nil {
		cfg = opts.TLSConfig.Clone()
	} else {
		cfg = new(tls.Config)
	}
	if cfg.ServerName == "" {
		host, _, _ := net.SplitHostPort(addr)
		cfg.ServerName = host
	}
	return cfg
}

func start(ctx context.Context, conn net.Conn, opts *Options) (*Client, error) {
	c := NewClient(conn, opts)
	if err := c.WaitGreeting(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// NewClient starts a client on conn, for example a net.Pipe in a test or
// a connection a proxy handed over. It does not wait for the greeting;
// commands do, or WaitGreeting.
func NewClient(conn net.Conn, opts *Options) *Client {
	c := &Client{
		conn:    conn,
		contCh:  make(chan string, 1),
		greeted: make(chan struct{}),
		closed:  make(chan struct{}),
		quit:    make(chan struct{}),
		enabled: Caps{},
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
			c.debug = &clientDebugTap{w: c.opts.Debug}
		}
		rd = io.TeeReader(rd, clientTapWriter{c.debug, false})
		wr = io.MultiWriter(wr, clientTapWriter{c.debug, true})
	}
	return rd, wr
}

// WaitGreeting waits for the server's greeting (RFC 3501 section 7.1) and
// returns an error for BYE.
func (c *Client) WaitGreeting(ctx context.Context) error {
	select {
	case <-c.greeted:
	case <-c.closed:
		return c.closeErr()
	case <-ctx.Done():
		return ctx.Err()
	}
	return c.greeting.Err()
}

// Greeting returns the server's greeting once it has arrived.
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
// does not allow v in the current state, nil when it does. c.mu is held.
func (c *Client) refusal(v Verb) error {
	if Allowed(c.state, v) {
		return nil
	}
	return fmt.Errorf("%w: %s in the %s state", ErrClientState, v, c.state)
}

// transition moves the session on after v ended with outcome o; it is the
// only place the Client's state changes after the greeting. c.mu is held.
func (c *Client) transition(v Verb, o Outcome) {
	c.state, _ = Transition(c.state, v, o)
}

// Closed is closed when the connection has ended.
func (c *Client) Closed() <-chan struct{} { return c.closed }

// readLoop reads responses until the connection ends and dispatches them.
func (c *Client) readLoop() {
	var err error
	for err == nil {
		err = c.readResponse()
	}
	c.mu.Lock()
	c.err = err
	c.transition(VerbUnknown, OutcomeClosed)
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	c.conn.Close()
	close(c.closed)
	for _, cmd := range pending {
		cmd.err = c.closeErr()
		close(cmd.done)
	}
}

// readResponse reads and dispatches one response (RFC 3501 section 7).
func (c *Client) readResponse() error {
	b, err := c.r.Peek()
	if err != nil {
		return err
	}
	switch b {
	case '*':
		_, _ = c.r.ReadByte()
		if err := c.r.SP(); err != nil {
			return err
		}
		return c.readUntagged()
	case '+':
		_, _ = c.r.ReadByte()
		c.r.Accept(' ')
		text, err := c.r.Text()
		if err != nil {
			return err
		}
		if err := c.r.CRLF(); err != nil {
			return err
		}
		select {
		case c.contCh <- text:
		default: // nobody asked; the protocol is confused, but carry on
		}
		return nil
	}
	tag, err := c.r.Tag()
	if err != nil {
		return err
	}
	if err := c.r.SP(); err != nil {
		return err
	}
	typ, err := c.r.Atom()
	if err != nil {
		return err
	}
	resp, err := readStatusResponse(c.r, tag, StatusType(strings.ToUpper(typ)))
	if err != nil {
		return err
	}
	return c.complete(resp)
}

// complete ends the command resp answers.
func (c *Client) complete(resp *StatusResponse) error {
	c.mu.Lock()
	var cmd *command
	for i, p := range c.pending {
		if p.tag == resp.Tag {
			cmd = p
			c.pending = append(c.pending[:i], c.pending[i+1:]...)
			break
		}
	}
	if cmd == nil {
		c.mu.Unlock()
		return &wire.SyntaxError{Msg: "response for unknown tag " + resp.Tag}
	}
	c.transition(cmd.verb, outcomeOf(resp.Type))
	if resp.Code == CodeCapability {
		c.setCapsLocked(strings.Fields(resp.CodeArg))
	}
	if c.state != StateSelected {
		c.mailbox = nil
	}
	c.mu.Unlock()
	cmd.resp = resp
	close(cmd.done)
	if cmd.resume != nil && resp.Type == StatusOK {
		<-cmd.resume
	}
	return nil
}

// readUntagged reads the response after "* ".
func (c *Client) readUntagged() error {
	u := &c.resp
	*u = untagged{r: c.r}
	if b, err := c.r.Peek(); err == nil && b >= '0' && b <= '9' {
		if u.Num, err = c.r.Number(); err != nil {
			return err
		}
		if err := c.r.SP(); err != nil {
			return err
		}
	}
	name, err := c.r.AtomBytes()
	if err != nil {
		return err
	}
	u.Name = responseName(name)
	switch u.Name {
	case "OK", "NO", "BAD", "PREAUTH", "BYE":
		if u.Status, err = readStatusResponse(c.r, "", StatusType(u.Name)); err != nil {
			return err
		}
		if u.Status.Code == CodeCapability {
			c.setCaps(strings.Fields(u.Status.CodeArg))
		}
		select {
		case <-c.greeted:
		default:
			c.mu.Lock()
			c.state = Greeting(u.Status.Type)
			c.greeting = u.Status
			c.mu.Unlock()
			close(c.greeted)
			return nil
		}
	case "EXISTS", "RECENT", "EXPUNGE":
		if err := c.r.CRLF(); err != nil {
			return err
		}
		c.trackMailbox(u)
	case "CAPABILITY":
		caps, err := readAtomsToEOL(c.r)
		if err != nil {
			return err
		}
		c.setCaps(caps)
		return nil
	case "ENABLED":
		caps, err := readAtomsToEOL(c.r)
		if err != nil {
			return err
		}
		c.mu.Lock()
		for _, name := range caps {
			c.enabled[Cap(strings.ToUpper(name))] = struct{}{}
		}
		c.mu.Unlock()
		return nil
	}
	// The handlers may block (a FETCH waits for its reader), so they
	// are offered the response outside c.mu, from a copy.
	c.mu.Lock()
	c.offer = append(c.offer[:0], c.pending...)
	c.mu.Unlock()
	taken, err := c.offerUntagged(u)
	clear(c.offer) // let finished commands go
	if err != nil || taken {
		return err
	}
	return c.unilateral(u)
}

// offerUntagged hands u to the pending commands in order until one takes
// it.
func (c *Client) offerUntagged(u *untagged) (bool, error) {
	for _, cmd := range c.offer {
		if cmd.untagged == nil {
			continue
		}
		if taken, err := cmd.untagged(u); err != nil || taken {
			return taken, err
		}
	}
	return false, nil
}

// responseNames are the untagged response names a client meets most, so
// that reading one does not allocate; FETCH comes first, since a large
// FETCH sends it once per message.
var responseNames = []string{"FETCH", "EXISTS", "EXPUNGE", "RECENT", "OK", "NO", "BAD", "BYE", "PREAUTH",
	"CAPABILITY", "ENABLED", "FLAGS", "LIST", "LSUB", "STATUS", "SEARCH", "ESEARCH", "VANISHED"}

// responseName returns the upper-case name of an untagged response;
// names are case-insensitive (RFC 3501 section 9).
func responseName(name []byte) string {
	for _, n := range responseNames {
		if bytes.EqualFold(name, []byte(n)) {
			return n
		}
	}
	return strings.ToUpper(string(name))
}

func (c *Client) setCaps(names []string) {
	c.mu.Lock()
	c.setCapsLocked(names)
	c.mu.Unlock()
}

// setCapsLocked caches capabilities; begin passes LITERAL+ and LITERAL-
// (RFC 7888) on to the writer.
func (c *Client) setCapsLocked(names []string) {
	c.caps = newCaps(names)
}

// readAtomsToEOL reads *(SP atom) CRLF.
func readAtomsToEOL(r *wire.Reader) ([]string, error) {
	var out []string
	for r.Accept(' ') {
		if b, _ := r.Peek(); b == '\r' || b == '\n' {
			break // trailing space, seen in the wild
		}
		a, err := r.Atom()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, r.CRLF()
}

// awaitContinuation waits for the server's "+" after a synchronizing
// literal (RFC 3501 section 7.5). The write lock is held, so the
// continuation is for the command being written.
func (c *Client) awaitContinuation() error {
	_, err := c.continuation(c.writeCtx, c.lastWritten)
	return err
}

// continuation waits for "+" for cmd, which the caller is writing; if cmd
// ends first (the server refused it with a tagged NO or BAD), that is the
// error.
func (c *Client) continuation(ctx context.Context, cmd *command) (string, error) {
	if err := c.w.Flush(); err != nil {
		return "", err
	}
	select {
	case text := <-c.contCh:
		return text, nil
	case <-cmd.done:
		if cmd.err != nil {
			return "", cmd.err
		}
		if err := cmd.resp.Err(); err != nil {
			return "", err
		}
		return "", &wire.SyntaxError{Msg: "command completed while a continuation was expected"}
	case <-c.closed:
		return "", c.closeErr()
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// begin registers a new command and starts writing it: the write lock is
// held until end. The command's tag and name are written. A command the
// state does not allow is refused before anything is written.
func (c *Client) begin(ctx context.Context, v Verb, untagged func(*untagged) (bool, error)) (*command, error) {
	select {
	case <-c.greeted:
	case <-c.closed:
		return nil, c.closeErr()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	c.writeMu.Lock()
	c.mu.Lock()
	if c.err != nil || c.state == StateLogout {
		err := c.closeErrLocked()
		c.mu.Unlock()
		c.writeMu.Unlock()
		return nil, err
	}
	if err := c.refusal(v); err != nil {
		c.mu.Unlock()
		c.writeMu.Unlock()
		return nil, err
	}
	// The writer's options follow what the server offered and what was
	// enabled; they change only here, under the write lock.
	c.w.LiteralPlus = c.caps.Has(CapLiteralPlus)
	c.w.LiteralMinus = c.caps.Has(CapLiteralMinus)
	c.w.UTF8 = c.enabled.Has(CapUTF8Accept)
	c.tagSeq++
	cmd := &command{tag: "T" + strconv.FormatUint(c.tagSeq, 10), verb: v, done: make(chan struct{}), untagged: untagged}
	c.pending = append(c.pending, cmd)
	c.mu.Unlock()
	c.lastWritten, c.writeCtx = cmd, ctx
	c.w.Mark()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.conn.SetWriteDeadline(dl)
	} else {
		_ = c.conn.SetWriteDeadline(time.Time{})
	}
	writeCommandHead(c.w, cmd.tag, v)
	return cmd, nil
}

// end finishes writing the command begun with begin: CRLF, flush, and
// the write lock released. A write error closes the connection, since
// half a command cannot be taken back.
func (c *Client) end(cmd *command) error {
	c.w.CRLF()
	return c.finish(cmd)
}

// finish flushes what was written of cmd and releases the write lock.
func (c *Client) finish(cmd *command) error {
	err := c.w.Flush()
	if errors.Is(err, wire.ErrNotAtom) && c.w.Abort() {
		// Nothing was sent: forget the command, keep the connection.
		c.mu.Lock()
		for i, p := range c.pending {
			if p == cmd {
				c.pending = append(c.pending[:i], c.pending[i+1:]...)
				break
			}
		}
		c.mu.Unlock()
		c.lastWritten, c.writeCtx = nil, nil
		c.writeMu.Unlock()
		cmd.err = err
		close(cmd.done)
		return err
	}
	c.lastWritten, c.writeCtx = nil, nil
	c.writeMu.Unlock()
	if err != nil {
		c.conn.Close()
		<-c.closed
		return err
	}
	return nil
}

// wait waits for cmd's tagged response; NO and BAD come back as a
// *StatusResponse error.
func (c *Client) wait(ctx context.Context, cmd *command) (*StatusResponse, error) {
	select {
	case <-cmd.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if cmd.err != nil {
		return nil, cmd.err
	}
	return cmd.resp, cmd.resp.Err()
}

// run sends command v, whose arguments args writes, and waits for it.
func (c *Client) run(ctx context.Context, v Verb, args func(w *wire.Writer), untagged func(*untagged) (bool, error)) (*StatusResponse, error) {
	cmd, err := c.begin(ctx, v, untagged)
	if err != nil {
		return nil, err
	}
	if args != nil {
		c.w.SP()
		args(c.w)
	}
	if err := c.end(cmd); err != nil {
		return nil, err
	}
	return c.wait(ctx, cmd)
}
