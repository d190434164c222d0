package pop3

import (
	"bufio"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/mailwire/mailwire/internal/debugtrace"
	"github.com/mailwire/mailwire/internal/netserver"
)

// Conn is one client connection as a Backend sees it. Its methods may be
// called from the Backend's and the Maildrop's methods.
type Conn struct {
	srv *Server
	// line is the connection with its buffers (io, br, bw), the
	// session's context (every Backend and Maildrop call gets line.Ctx)
	// and its TLS state.
	line *netserver.Line
	io   *netserver.Deadlines // the connection, TLS once negotiated
	br   *bufio.Reader
	bw   *bufio.Writer

	state        State
	timestamp    string // the APOP timestamp of the greeting, or ""
	errors       int
	authFailures int
	utf8         bool
	user         string // the name USER gave, waiting for PASS
	identity     string // the user logged in as, holding the lock

	maildrop Maildrop
	msgs     []MessageInfo
	deleted  []bool
	copyBuf  []byte
}

// RemoteAddr returns the client's address.
func (c *Conn) RemoteAddr() net.Addr { return c.line.RemoteAddr() }

// LocalAddr returns the address the client connected to.
func (c *Conn) LocalAddr() net.Addr { return c.line.LocalAddr() }

// TLS returns the TLS state, or nil on a plain connection before STLS.
func (c *Conn) TLS() *tls.ConnectionState { return c.line.TLS }

// UTF8 reports whether the client enabled UTF-8 mode (RFC 6856 2.1), so a
// Maildrop may send messages with UTF-8 headers as they are.
func (c *Conn) UTF8() bool { return c.utf8 }

// User returns the name the client logged in as, or "" before it did.
func (c *Conn) User() string { return c.identity }

// Server returns the server the connection belongs to.
func (c *Conn) Server() *Server { return c.srv }

// newConn makes the session on nc. The autologout timer (RFC 1939
// section 3) restarts with every read; the login timeout counts from the
// connection, whatever arrives.
func newConn(srv *Server, nc net.Conn) *Conn {
	c := &Conn{srv: srv, line: srv.core().OpenLine(nc)}
	// The read buffer holds the longest line the session takes, so that
	// readLine sees it whole.
	lim := srv.limits()
	c.line.BR = bufio.NewReaderSize(c.line.IO, max(lim.MaxLineLength, lim.MaxAuthLineLength))
	c.line.BW = bufio.NewWriterSize(c.line.IO, 32<<10)
	c.line.OnBadLine = func(b netserver.BadLine) { c.fail(ErrResponse("", b.Text())) }
	c.io, c.br, c.bw = c.line.IO, c.line.BR, c.line.BW
	return c
}

// refuse answers a connection the server cannot take; netserver then
// closes it.
func (c *Conn) refuse(r *Response) {
	c.reply(r)
	c.bw.Flush()
}

// release closes the maildrop and drops the lock, whatever state the
// session ended in; nothing is deleted here (RFC 1939 section 6).
func (c *Conn) release() {
	if c.maildrop == nil {
		return
	}
	if err := c.maildrop.Close(c.line.Ctx); err != nil {
		c.srv.logger().Warn("pop3: closing maildrop", "user", c.identity, "err", err)
	}
	c.srv.unlock(c.identity)
	c.maildrop = nil
}

// serve runs the session: greeting, then one command at a time until QUIT,
// an I/O error, the autologout timer, too many errors or shutdown.
// netserver has done the handshake of implicit TLS and ends the session
// after.
func (c *Conn) serve() {
	defer c.release()
	greeting := c.srv.domain() + " POP3 server ready"
	if _, ok := c.srv.Backend.(APOPBackend); ok {
		c.timestamp = newTimestamp(c.srv.domain())
		greeting += " " + c.timestamp
	}
	c.reply(OKResponse(greeting))
	for c.state != StateClosed {
		line, err := c.readCommand()
		if err != nil {
			c.closeOnError(err)
			c.transition(VerbUnknown, OutcomeClosed)
			return
		}
		if line != nil {
			c.handle(line)
		}
		if c.errors >= c.srv.limits().MaxErrors && c.state != StateClosed {
			c.reply(ErrResponse("", "Too many errors, closing connection"))
			c.transition(VerbUnknown, OutcomeClosed)
		}
	}
	c.bw.Flush()
}

// transition moves the session on after v ended with outcome o; it is the
// only place the state changes once the greeting is sent.
func (c *Conn) transition(v Verb, o Outcome) {
	c.state, _ = Transition(c.state, v, o)
}

// newTimestamp makes the APOP timestamp of the greeting, unique for every
// session (RFC 1939 section 7: a msg-id with a process id and a clock).
func newTimestamp(domain string) string {
	var r [8]byte
	rand.Read(r[:])
	return "<" + hex.EncodeToString(r[:]) + "." + strconv.FormatInt(time.Now().UnixNano(), 10) + "@" + domain + ">"
}

// goodbyes are the responses to the endings of a session that can still
// take one: a shutdown, and a session closed to make room for a new
// client (-ERR [SYS/TEMP], RFC 3206 section 4). When the autologout
// timer or the login timeout expires the connection is closed without a
// response and without UPDATE (RFC 1939 section 3).
var goodbyes = map[netserver.Ending]string{
	netserver.EndShutdown: "Server shutting down",
	netserver.EndEvicted:  "Too many connections; closing one not logged in",
}

// closeOnError answers a read error with its goodbye, if it has one.
func (c *Conn) closeOnError(err error) {
	if text, ok := goodbyes[c.line.Ending(err)]; ok {
		c.reply(ErrResponse(CodeSysTemp, text))
		c.bw.Flush()
	}
}

// readCommand returns the next command line without its line end. A
// line over the limit or holding NUL is answered and yields nil.
func (c *Conn) readCommand() ([]byte, error) {
	return c.line.ReadCommand(c.srv.limits().MaxLineLength)
}

// readLine reads one line of at most max octets, line end included; a
// longer one is answered with -ERR (RFC 2449 section 4) and yields nil.
func (c *Conn) readLine(max int) ([]byte, error) { return c.line.ReadLine(max) }

// trimEOL removes a trailing LF and the CR before it.
func trimEOL(line []byte) []byte { return netserver.TrimEOL(line) }

// handle runs one command line and feeds its outcome to the state table.
func (c *Conn) handle(line []byte) {
	cmd, err := ParseCommand(line)
	c.debug("C: %s", redact(cmd, line))
	c.transition(cmd.Verb, c.run(cmd, err))
}

// run checks a parsed command against the state table, its syntax and the
// BeforeCommand hook, then runs it. An unknown, illegal or malformed
// command is answered -ERR and refused.
func (c *Conn) run(cmd Command, err error) Outcome {
	if err == ErrUnknownCommand {
		return c.fail(ErrResponse("", "Unknown command"))
	}
	if !Allowed(c.state, cmd.Verb) {
		return c.fail(ErrResponse("", cmd.Verb.String()+" not allowed in the "+c.state.String()+" state"))
	}
	if err != nil || !arityOK(cmd) {
		return c.fail(ErrResponse("", "Syntax: "+usage[cmd.Verb]))
	}
	if hook := c.srv.BeforeCommand; hook != nil {
		if err := hook(c, cmd); err != nil {
			var r *Response
			if !errors.As(err, &r) {
				return OutcomeClosed
			}
			return c.fail(r)
		}
	}
	return c.dispatch(cmd)
}

// dispatch runs a legal, well-formed command and returns its outcome.
func (c *Conn) dispatch(cmd Command) Outcome {
	switch cmd.Verb {
	case VerbUSER:
		return c.handleUser(cmd.Args[0])
	case VerbPASS:
		return c.handlePass(cmd.Args[0])
	case VerbAPOP:
		return c.handleAPOP(cmd.Args[0], cmd.Args[1])
	case VerbAUTH:
		return c.handleAuth(cmd.Args)
	case VerbSTLS:
		return c.handleSTLS()
	case VerbCAPA:
		return c.handleCapa()
	case VerbUTF8:
		// RFC 6856 2.1: UTF-8 mode; this server sends messages as stored.
		c.utf8 = true
		return c.accept("UTF8 enabled")
	case VerbSTAT:
		return c.handleStat()
	case VerbLIST:
		return c.handleList(cmd.Args)
	case VerbUIDL:
		return c.handleUidl(cmd.Args)
	case VerbRETR:
		return c.handleRetr(cmd.Args[0])
	case VerbTOP:
		return c.handleTop(cmd.Args[0], cmd.Args[1])
	case VerbDELE:
		return c.handleDele(cmd.Args[0])
	case VerbRSET:
		return c.handleRset()
	case VerbNOOP:
		return c.accept("")
	case VerbQUIT:
		return c.handleQuit()
	}
	// run let through only verbs the table allows, and each has a case.
	panic("pop3: no handler for " + cmd.Verb.String())
}

// usage gives each command's syntax for the -ERR of a malformed one.
var usage = [numVerbs]string{
	VerbUSER: "USER name", VerbPASS: "PASS password", VerbAPOP: "APOP name digest",
	VerbAUTH: "AUTH mechanism [initial-response]", VerbSTLS: "STLS", VerbCAPA: "CAPA",
	VerbUTF8: "UTF8", VerbSTAT: "STAT", VerbLIST: "LIST [msg]", VerbRETR: "RETR msg",
	VerbDELE: "DELE msg", VerbNOOP: "NOOP", VerbRSET: "RSET", VerbTOP: "TOP msg n",
	VerbUIDL: "UIDL [msg]", VerbQUIT: "QUIT",
}

// arityOK checks the number of arguments (RFC 1939 sections 4 to 7, RFC
// 2449 5, RFC 2595 4, RFC 5034 4, RFC 6856 2.1).
func arityOK(cmd Command) bool {
	n := len(cmd.Args)
	switch cmd.Verb {
	case VerbUSER, VerbPASS, VerbRETR, VerbDELE:
		return n == 1
	case VerbAPOP, VerbTOP:
		return n == 2
	case VerbAUTH:
		return n >= 1
	case VerbLIST, VerbUIDL:
		return n <= 1
	}
	return n == 0
}

// redact hides passwords and SASL data in debug output.
func redact(cmd Command, line []byte) string {
	switch {
	case cmd.Verb == VerbPASS:
		return debugtrace.Redact(line, 1)
	case cmd.Verb == VerbAPOP, cmd.Verb == VerbAUTH:
		return debugtrace.Redact(line, 2)
	}
	return string(line)
}

// responseFor turns a backend error into the response the client sees: a
// *Response as it is, anything else as -ERR with the given code and text
// (the error is logged, never sent, so no internal detail leaks).
func (c *Conn) responseFor(err error, code ResponseCode, text string) *Response {
	var r *Response
	if errors.As(err, &r) && !r.OK {
		return r
	}
	c.srv.logger().Error("pop3: backend error", "remote", c.io.Conn().RemoteAddr(), "user", c.identity, "err", err)
	return ErrResponse(code, text)
}

// reply queues r; it is flushed before the next read blocks.
func (c *Conn) reply(r *Response) {
	if c.line.Debugging() {
		c.debug("S: %s", r.Error())
	}
	r.writeTo(c.bw)
}

// accept queues a +OK response with text; the command was accepted.
func (c *Conn) accept(text string) Outcome {
	c.reply(OKResponse(text))
	return OutcomeAccepted
}

// fail queues an -ERR response and counts it towards MaxErrors; the
// command was refused.
func (c *Conn) fail(r *Response) Outcome {
	c.errors++
	c.reply(r)
	return OutcomeRefused
}

// debug writes a line to the server's Debug writer, if any.
func (c *Conn) debug(format string, args ...any) { c.line.Debugf(format, args...) }
