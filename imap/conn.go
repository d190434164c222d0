package imap

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync/atomic"
	"time"

	"github.com/mailwire/mailwire/imap/internal/wire"
	"github.com/mailwire/mailwire/internal/netserver"
)

// Conn is one client connection as a Backend sees it: the facts a policy
// needs. Its methods may be called from the Backend's methods.
type Conn struct {
	srv *Server
	// line is the connection with its buffers, the session's context
	// (every Backend call gets line.Ctx) and its TLS state. The parser r
	// and the writer w sit on its buffers.
	line *netserver.Line
	r    *wire.Reader
	w    *wire.Writer
	// io is line.IO, the connection (TLS once negotiated) with its
	// timeouts; the buffers sit on it, through the Debug tap when Debug
	// is set.
	io *netserver.Deadlines

	state    State
	user     User
	identity string // who logged in, for the \\Recent claims
	sel      *selected
	utf8     bool // UTF8=ACCEPT enabled (RFC 6855)
	failures int  // failed logins
	bad      int  // BAD responses

	// skipLiteral is the size of a non-synchronizing literal whose header
	// was read but whose bytes were refused; skipping the rest of the
	// command discards them first.
	skipLiteral int64
	// lineDone says the command's last line has been read, so nothing
	// is left to skip after an error.
	lineDone bool

	redact atomic.Bool // the input carries credentials (Debug)

	debugIn, debugOut *debugTap
}

// RemoteAddr returns the client's address.
func (c *Conn) RemoteAddr() net.Addr { return c.line.RemoteAddr() }

// LocalAddr returns the address the client connected to.
func (c *Conn) LocalAddr() net.Addr { return c.line.LocalAddr() }

// TLS returns the TLS state, or nil on a plain connection before STARTTLS.
func (c *Conn) TLS() *tls.ConnectionState { return c.line.TLS }

// Server returns the server the connection belongs to.
func (c *Conn) Server() *Server { return c.srv }

// newConn makes the session on nc; its login timeout counts from the
// connection, whatever arrives.
func newConn(srv *Server, nc net.Conn) *Conn {
	c := &Conn{srv: srv, line: srv.core().OpenLine(nc)}
	if srv.Debug != nil {
		c.line.Transport = tappedIO{c}
	} else {
		c.line.Transport = c.line.IO
	}
	c.line.BR = bufio.NewReaderSize(c.line.Transport, 16<<10)
	c.line.BW = bufio.NewWriterSize(c.line.Transport, 16<<10)
	c.io = c.line.IO
	lim := srv.limits()
	c.r = wire.NewReader(c.line.BR, wire.Limits{
		MaxLine:    lim.MaxLineLength,
		MaxLiteral: lim.MaxLiteralSize,
		MaxDepth:   lim.MaxDepth,
		// Counted over the whole command: SEARCH takes many sets.
		MaxSeqRanges: lim.MaxSeqRanges,
	})
	c.r.SyncLiteral = c.continueLiteral
	c.w = wire.NewWriter(c.line.BW)
	c.line.Flush = c.w.Flush
	return c
}

// continueLiteral sends the continuation request a client waits for
// before it sends a synchronizing literal (RFC 3501 section 7.5).
func (c *Conn) continueLiteral(wire.Literal) error {
	c.w.Raw("+ Ready for literal data\r\n")
	return c.w.Flush()
}

// refuse answers a connection the server cannot take; netserver then
// closes it.
func (c *Conn) refuse(resp *StatusResponse) {
	writeStatusResponse(c.w, resp)
	c.w.Flush()
}

// serve runs the session: greeting, then one command at a time until
// LOGOUT, an I/O error, a timeout, too many errors or shutdown.
// netserver has done the handshake of implicit TLS and ends the session
// after.
func (c *Conn) serve() {
	defer c.logout()
	// RFC 3501 section 7.1.1: the greeting may carry the capabilities,
	// which saves clients a round trip.
	c.untagged(&StatusResponse{Type: StatusOK, Code: CodeCapability, CodeArg: c.capabilities(c.state), Text: "mailwire IMAP4rev1 ready"})
	for c.state != StateLogout {
		if err := c.next(); err != nil {
			c.closeOnError(err)
			c.transition(VerbUnknown, OutcomeClosed)
			return
		}
	}
	c.w.Flush()
}

// logout releases the selected mailbox and the user.
func (c *Conn) logout() {
	c.unselect()
	if c.user != nil {
		if err := c.user.Logout(c.line.Ctx); err != nil {
			c.srv.logger().Warn("imap: logout", "err", err)
		}
		c.user = nil
	}
}

// goodbyes are the BYEs (RFC 3501 section 7.1.5) to the endings of a
// session that can still take one: a shutdown and a session closed to
// make room for a new client (BYE [UNAVAILABLE], RFC 5530 section 3),
// the login timeout and the autologout timer (RFC 3501 section 5.4).
var goodbyes = map[netserver.Ending]*StatusResponse{
	netserver.EndShutdown:     {Type: StatusBYE, Code: CodeUnavailable, Text: "Server shutting down"},
	netserver.EndEvicted:      {Type: StatusBYE, Code: CodeUnavailable, Text: "Too many connections; closing one not logged in"},
	netserver.EndLoginTimeout: {Type: StatusBYE, Text: "Login timeout"},
	netserver.EndTimeout:      {Type: StatusBYE, Text: "Autologout; idle for too long"},
}

// closeOnError says BYE when the connection can still take it: for the
// goodbyes above, too many errors, and a literal refused.
func (c *Conn) closeOnError(err error) {
	bye, ok := goodbyes[c.line.Ending(err)]
	switch {
	case ok:
	case errors.Is(err, errTooManyErrors):
		bye = &StatusResponse{Type: StatusBYE, Text: "Too many errors"}
	case errors.Is(err, errLiteralRefused):
		bye = &StatusResponse{Type: StatusBYE, Code: CodeTooBig, Text: "Literal too large"}
	default:
		return
	}
	c.untagged(bye)
	c.w.Flush()
}

var (
	errTooManyErrors  = errors.New("imap: too many errors")
	errLiteralRefused = errors.New("imap: literal refused")
)

// timeout returns the read timeout of the current state: before login
// the login timeout, which the login deadline bounds anyway, then the
// autologout timer.
func (c *Conn) timeout() time.Duration {
	if c.state == StateNotAuthenticated {
		return c.srv.limits().LoginTimeout
	}
	return c.srv.limits().CommandTimeout
}

// next reads and runs one command.
func (c *Conn) next() error {
	if err := c.line.WaitCommand(); err != nil {
		return err
	}
	c.lineDone, c.skipLiteral = false, 0
	c.r.Begin()
	cmd, name, err := readCommandHead(c.r)
	tag := cmd.Tag
	if err != nil {
		if tag == "" {
			tag = "*"
		}
		return c.commandError(tag, "Syntax error in command", err)
	}
	if cmd.Verb == VerbUnknown || !c.supports(cmd.Verb) {
		return c.badCommand(tag, "Unknown command "+name, nil)
	}
	if !Allowed(c.state, cmd.Verb) {
		return c.badCommand(tag, name+" not allowed "+c.stateText(), nil)
	}
	if hook := c.srv.BeforeCommand; hook != nil {
		if err := hook(c, cmd); err != nil {
			return c.refuseCommand(tag, err)
		}
	}
	resp, err := c.run(tag, cmd.Verb)
	if err != nil {
		return c.commandError(tag, "Syntax error in arguments of "+name, err)
	}
	if resp == nil {
		return nil // the handler wrote the tagged response
	}
	if c.sel != nil && resp.Type != StatusBAD {
		if err := c.sendUpdates(expungeAllowed(cmd.Verb)); err != nil {
			return err
		}
	}
	c.transition(cmd.Verb, outcomeOf(resp.Type))
	c.tagged(tag, resp)
	return nil
}

// refuseCommand answers a command the BeforeCommand hook refused with
// err: a *StatusResponse is its tagged reply, any other error
// (ErrDropConnection) ends the session without one.
func (c *Conn) refuseCommand(tag string, err error) error {
	var st *StatusResponse
	if !errors.As(err, &st) {
		return ErrDropConnection
	}
	if serr := c.skipCommand(); serr != nil {
		return c.commandError(tag, "", serr)
	}
	c.tagged(tag, st)
	return nil
}

// transition moves the session on after v ended with outcome o; it is the
// only place the Conn's state changes.
func (c *Conn) transition(v Verb, o Outcome) {
	c.state, _ = Transition(c.state, v, o)
}

// commandError answers a command that could not be read. A command over
// MaxLineLength, where the bytes that follow cannot be told apart from
// commands, ends the session with BYE (RFC 3501 section 7.1.5); other
// errors answer BAD and the session goes on. A literal the command's
// budget cannot hold is refused as RFC 7888 section 4 allows: a
// synchronizing one with BAD [LIMIT] before its bytes are asked for, the
// session going on; a non-synchronizing one, whose bytes are on their
// way, with BYE, as Dovecot does.
func (c *Conn) commandError(tag, text string, err error) error {
	var le *wire.LiteralError
	switch {
	case isIOError(err), errors.Is(err, errLiteralRefused):
		return err
	case errors.As(err, &le) && le.Literal.NonSync:
		return errLiteralRefused
	case le != nil:
		c.lineDone = true // the client waits for a continuation
		return c.badCommand(tag, text, errLimit)
	case errors.Is(err, wire.ErrLineTooLong), errors.Is(err, wire.ErrLiteralTooLarge):
		c.lineTooLong(tag)
		return nil
	}
	return c.badCommand(tag, text, err)
}

// lineTooLong answers a command over MaxLineLength and ends the session.
func (c *Conn) lineTooLong(tag string) {
	c.tagged(tag, &StatusResponse{Type: StatusBAD, Code: CodeLimit, Text: "Command line too long"})
	c.untagged(&StatusResponse{Type: StatusBYE, Code: CodeLimit, Text: "Command line too long, closing connection"})
	c.transition(VerbUnknown, OutcomeClosed)
}

// isIOError reports errors after which the stream cannot be read.
func isIOError(err error) bool {
	var se *wire.SyntaxError
	if errors.As(err, &se) || errors.Is(err, wire.ErrLineTooLong) || errors.Is(err, wire.ErrTooDeep) ||
		errors.Is(err, wire.ErrLiteralTooLarge) || errors.Is(err, wire.ErrTooManyRanges) || errors.Is(err, errBadArgs) {
		return false
	}
	return true
}

// errBadArgs reports arguments that parse but make no sense; the text
// says why.
var errBadArgs = errors.New("imap: bad arguments")

type argError struct{ text string }

func (e *argError) Error() string { return e.text }
func (e *argError) Unwrap() error { return errBadArgs }

func badArgs(text string) error { return &argError{text} }

// badCommand answers BAD (RFC 3501 section 7.1.3), skips what is left of
// the command, and ends the session after too many.
func (c *Conn) badCommand(tag, text string, err error) error {
	var ae *argError
	switch {
	case errors.As(err, &ae):
		text = ae.text
	case errors.Is(err, wire.ErrTooDeep):
		text = "Too many nested parentheses"
	case errors.Is(err, wire.ErrTooManyRanges):
		text = "Too many sequence ranges in one command"
	case err != nil:
		text += ": " + err.Error()
	}
	if serr := c.skipCommand(); serr != nil {
		if errors.Is(serr, wire.ErrLineTooLong) {
			// What is left of the command is over the limit too.
			c.lineTooLong(tag)
			return nil
		}
		return serr
	}
	resp := &StatusResponse{Type: StatusBAD, Text: text}
	if errors.Is(err, wire.ErrTooDeep) || errors.Is(err, wire.ErrTooManyRanges) || errors.Is(err, errLimit) {
		resp.Code = CodeLimit // RFC 5530 section 3
	}
	c.tagged(tag, resp)
	c.bad++
	if c.bad >= c.srv.limits().MaxErrors {
		return errTooManyErrors
	}
	return nil
}

func (c *Conn) stateText() string {
	switch c.state {
	case StateNotAuthenticated:
		return "before authentication"
	case StateAuthenticated:
		return "without a selected mailbox"
	}
	return "in this state"
}

// tagged writes the command's completion and applies the state table.
func (c *Conn) tagged(tag string, resp *StatusResponse) {
	r := *resp
	r.Tag = tag
	if tag == "*" {
		r.Tag = ""
	}
	writeStatusResponse(c.w, &r)
}

// untagged writes an untagged status response.
func (c *Conn) untagged(resp *StatusResponse) {
	r := *resp
	r.Tag = ""
	writeStatusResponse(c.w, &r)
}

// ok returns a tagged OK with text.
func ok(text string) *StatusResponse { return OKResponse(text) }

// no returns a tagged NO with a code and text.
func no(code ResponseCode, text string) *StatusResponse { return NOResponse(code, text) }

// backendError turns a backend error into the response the client sees:
// a *StatusResponse as it is, anything else logged and answered NO
// [SERVERBUG] (RFC 5530 section 3), so no internal detail leaks.
func (c *Conn) backendError(err error) *StatusResponse {
	var st *StatusResponse
	if errors.As(err, &st) {
		return st
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return no(CodeUnavailable, "Operation canceled")
	}
	c.srv.logger().Error("imap: backend error", "remote", c.io.Conn().RemoteAddr(), "err", err)
	return no(CodeServerBug, "Internal error, try again later")
}
