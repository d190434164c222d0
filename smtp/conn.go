package smtp

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"sync"

	"github.com/mailwire/mailwire/internal/debugtrace"
	"github.com/mailwire/mailwire/internal/netserver"
)

// Conn is one client connection as a Backend sees it: the facts a policy
// needs (RFC 5321 4.4 trace information, TLS, authentication). Its methods
// may be called from the Session's methods.
type Conn struct {
	srv *Server
	// line is the connection with its buffers, the session's context
	// (every Backend and Session call gets line.Ctx) and its TLS state;
	// io, br and bw are its IO, BR and BW.
	line *netserver.Line
	// io is the connection (TLS once negotiated) with its timeouts; the
	// buffers sit on it.
	io *netserver.Deadlines
	br *bufio.Reader
	bw *bufio.Writer

	session  Session
	state    State
	hostname string // HELO/EHLO argument
	extended bool   // the greeting was EHLO or LHLO, not HELO
	identity string // authenticated identity
	authed   bool
	errors   int
	failures int // failed AUTHs

	// The open transaction.
	mailOpts *MailOptions
	rcpts    []string

	// pending is a command line read while receiving BDAT chunks that was
	// not a BDAT; the loop runs it next.
	pending []byte
}

// RemoteAddr returns the client's address.
func (c *Conn) RemoteAddr() net.Addr { return c.line.RemoteAddr() }

// LocalAddr returns the address the client connected to.
func (c *Conn) LocalAddr() net.Addr { return c.line.LocalAddr() }

// TLS returns the TLS state, or nil before STARTTLS on a plain connection.
func (c *Conn) TLS() *tls.ConnectionState { return c.line.TLS }

// Hostname returns the name the client gave in EHLO, HELO or LHLO, or ""
// before it did.
func (c *Conn) Hostname() string { return c.hostname }

// Identity returns the identity the client authenticated as, or "".
func (c *Conn) Identity() string { return c.identity }

// Protocol names the session's protocol as the "with" clause of a Received
// header does (RFC 5321 4.4, RFC 3848 section 2): SMTP after HELO, ESMTP
// after EHLO, LMTP in LMTP mode, with "S" once TLS is on and "A" once the
// client authenticated (ESMTPSA, LMTPA ...).
func (c *Conn) Protocol() string {
	p := "SMTP"
	switch {
	case c.srv.LMTP:
		p = "LMTP"
	case c.extended:
		p = "ESMTP"
	}
	if p == "SMTP" {
		return p // RFC 3848 has no SMTPS or SMTPA
	}
	if c.line.TLS != nil {
		p += "S"
	}
	if c.authed {
		p += "A"
	}
	return p
}

// Server returns the server the connection belongs to.
func (c *Conn) Server() *Server { return c.srv }

// The buffers are pooled: a server that takes many short sessions would
// otherwise allocate 20 KiB for each. A server whose line limits exceed
// the pooled reader's size gets readers of its own size instead, so
// that a line within the limits is always seen whole.
const pooledReaderSize = 16 << 10

var (
	readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, pooledReaderSize) }}
	writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 4<<10) }}
)

// newConn makes the session on nc; only a submission server has a login
// phase (see protocol).
func newConn(srv *Server, nc net.Conn) *Conn {
	c := &Conn{srv: srv, line: srv.core().OpenLine(nc)}
	if lim := srv.limits(); max(lim.MaxLineLength, lim.MaxAuthLineLength) > pooledReaderSize {
		c.line.BR = bufio.NewReaderSize(c.line.IO, max(lim.MaxLineLength, lim.MaxAuthLineLength))
	} else {
		c.line.BR = readerPool.Get().(*bufio.Reader)
		c.line.BR.Reset(c.line.IO)
	}
	c.line.BW = writerPool.Get().(*bufio.Writer)
	c.line.BW.Reset(c.line.IO)
	c.line.OnBadLine = func(b netserver.BadLine) { c.fail(NewReply(CodeSyntaxError, EnhancedSyntaxError, b.Text())) }
	c.io, c.br, c.bw = c.line.IO, c.line.BR, c.line.BW
	return c
}

// refuse answers a connection the server cannot take; netserver then
// closes it.
func (c *Conn) refuse(r *Reply) {
	c.reply(r)
	c.bw.Flush()
}

// putBuffers puts the buffers back in their pools once the session
// ended and its connection is closed.
func (c *Conn) putBuffers() {
	c.br.Reset(nil)
	c.bw.Reset(nil)
	if c.br.Size() == pooledReaderSize {
		readerPool.Put(c.br)
	}
	writerPool.Put(c.bw)
}

// serve runs the session: greeting, then one command at a time until QUIT,
// an I/O error, a timeout, too many errors or shutdown. netserver has
// done the handshake of implicit TLS and ends the session after.
func (c *Conn) serve() {
	session, err := c.srv.Backend.NewSession(c.line.Ctx, c)
	if err != nil {
		c.reply(c.replyFor(err, CodeServiceNotAvailable, EnhancedTempLocalError))
		c.bw.Flush()
		return
	}
	c.session = session
	defer func() {
		if err := session.Logout(c.line.Ctx); err != nil {
			c.srv.logger().Warn("smtp: logout", "err", err)
		}
	}()

	greeting := " ESMTP mailwire"
	if c.srv.LMTP {
		greeting = " LMTP mailwire"
	}
	c.reply(&Reply{Code: CodeReady, Lines: []string{c.srv.domain() + greeting}})
	for c.state != StateClosed {
		line, err := c.readCommand()
		if err != nil {
			c.closeOnError(err)
			c.transition(VerbUnknown, OutcomeClosed)
			continue
		}
		if line != nil { // nil: a line too long or with NUL, already answered
			c.handle(line)
		}
		c.closeOnTooManyErrors()
	}
	c.bw.Flush()
}

// closeOnTooManyErrors ends the session with 421 once MaxErrors replies
// were errors, whatever caused them: unknown commands, bad arguments,
// lines too long (RFC 5321 4.5.3.1.4), as Postfix's
// smtpd_hard_error_limit does. It reports whether it did.
func (c *Conn) closeOnTooManyErrors() bool {
	if c.errors < c.srv.limits().MaxErrors || c.state == StateClosed {
		return false
	}
	c.reply(NewReply(CodeServiceNotAvailable, EnhancedTempSecurity, c.srv.domain()+" Too many errors, closing connection"))
	c.transition(VerbUnknown, OutcomeClosed)
	return true
}

// transition moves the session to the state the table gives for verb v
// ended with outcome o (Transition). It is the only writer of c.state:
// the handlers report what became of their command, the loop reports the
// endings that follow no command.
func (c *Conn) transition(v Verb, o Outcome) { c.state, _ = Transition(c.state, v, o) }

// goodbyes are the 421 replies (RFC 5321 3.8: a 421 may be sent
// asynchronously) to the endings of a session that can still take one:
// 4.3.2 for shutdown, 4.7.0 for a session closed to make room, 4.4.2
// ("bad connection", RFC 3463) for the login and command timeouts (RFC
// 5321 4.5.3.2).
var goodbyes = map[netserver.Ending]struct {
	enh  EnhancedCode
	text string
}{
	netserver.EndShutdown:     {EnhancedTempNotAccepting, " Service shutting down, closing connection"},
	netserver.EndEvicted:      {EnhancedTempSecurity, " Too many connections; closing one not authenticated"},
	netserver.EndLoginTimeout: {EnhancedTempBadConnection, " Login timeout, closing connection"},
	netserver.EndTimeout:      {EnhancedTempBadConnection, " Timeout, closing connection"},
}

// closeOnError answers a read error with its goodbye, if it has one.
func (c *Conn) closeOnError(err error) {
	if g, ok := goodbyes[c.line.Ending(err)]; ok {
		c.reply(NewReply(CodeServiceNotAvailable, g.enh, c.srv.domain()+g.text))
		c.bw.Flush()
	}
}

// readCommand returns the next command line without its line end, or
// the line read ahead while BDAT chunks arrived (pending). A line over
// the limit or holding NUL is answered and yields nil.
func (c *Conn) readCommand() ([]byte, error) {
	if c.pending != nil {
		line := c.pending
		c.pending = nil
		return line, nil
	}
	return c.line.ReadCommand(c.srv.limits().MaxLineLength)
}

// readLine reads one CRLF-terminated line of at most max octets (CRLF
// included); a longer one is answered with 500 5.5.2 (RFC 5321
// 4.5.3.1.4) and yields nil.
func (c *Conn) readLine(max int) ([]byte, error) { return c.line.ReadLine(max) }

// handle runs one command line and reports its outcome to the table.
func (c *Conn) handle(line []byte) {
	verb, arg := splitCommand(line)
	if verb == VerbAUTH {
		c.debug("C: %s", debugtrace.Redact(line, 2))
	} else {
		c.debug("C: %s", line)
	}
	switch {
	case verb == VerbUnknown,
		verb == VerbLHLO && !c.srv.LMTP,
		(verb == VerbEHLO || verb == VerbHELO) && c.srv.LMTP:
		c.transition(verb, c.refused(replyUnrecognized))
		return
	}
	if !Allowed(c.state, verb) {
		c.transition(verb, c.refuseCommand(verb, arg, c.badSequence(verb)))
		return
	}
	if hook := c.srv.BeforeCommand; hook != nil {
		if err := hook(c, Command{Verb: verb, Arg: string(arg)}); err != nil {
			var r *Reply
			if !errors.As(err, &r) {
				// ErrDropConnection, or any other error.
				c.transition(verb, OutcomeClosed)
				return
			}
			c.transition(verb, c.refuseCommand(verb, arg, r))
			return
		}
	}
	c.transition(verb, c.run(verb, arg))
}

// run runs a legal command and returns what became of it.
func (c *Conn) run(verb Verb, arg []byte) Outcome {
	switch verb {
	case VerbEHLO, VerbLHLO:
		return c.handleHello(arg, true)
	case VerbHELO:
		return c.handleHello(arg, false)
	case VerbMAIL:
		return c.handleMail(arg)
	case VerbRCPT:
		return c.handleRcpt(arg)
	case VerbDATA:
		return c.handleData(arg)
	case VerbBDAT:
		return c.handleBDAT(arg)
	case VerbRSET:
		if len(arg) > 0 {
			return c.refused(syntaxError("RSET takes no arguments"))
		}
		c.resetTransaction()
		return c.accepted(replyOK)
	case VerbNOOP:
		return c.accepted(replyOK) // arguments are ignored (RFC 5321 4.1.1.9)
	case VerbQUIT:
		if len(arg) > 0 {
			return c.refused(syntaxError("QUIT takes no arguments"))
		}
		c.reply(NewReply(CodeClosing, EnhancedOK, c.srv.domain()+" Service closing transmission channel"))
		return OutcomeClosed
	case VerbVRFY:
		return c.handleVerify(arg)
	case VerbEXPN:
		// RFC 5321 3.5.2 and 7.3 let a server decline to expand lists.
		return c.refused(NewReply(CodeNotImplemented, EnhancedInvalidCommand, "EXPN not available"))
	case VerbHELP:
		return c.accepted(&Reply{Code: CodeHelp, Enhanced: EnhancedOK, Lines: []string{
			"Commands: " + c.helpList(), "See RFC 5321"}})
	case VerbSTARTTLS:
		return c.handleStartTLS(arg)
	case VerbAUTH:
		return c.handleAuth(arg)
	}
	return c.refused(replyUnrecognized) // a Verb added without a handler here
}

// refuseCommand answers a command that is not run with r. The octets of a
// refused BDAT chunk are read and thrown away (RFC 3030 section 2),
// so that the session stays in step.
func (c *Conn) refuseCommand(verb Verb, arg []byte, r *Reply) Outcome {
	if verb == VerbBDAT && !c.discardChunk(arg) {
		// Without a size the stream cannot be followed any further.
		c.fail(syntaxError("Syntax: BDAT size [LAST]; closing connection"))
		return OutcomeClosed
	}
	return c.refused(r)
}

// badSequence explains a command that the state table refuses (503 5.5.1,
// RFC 5321 4.1.4 and 4.2.2).
func (c *Conn) badSequence(v Verb) *Reply {
	text := "Bad sequence of commands"
	switch {
	case c.state == StateGreeted:
		text = "Send EHLO or HELO first"
		if c.srv.LMTP {
			text = "Send LHLO first"
		}
	case v == VerbMAIL:
		text = "Nested MAIL command"
	case v == VerbRCPT:
		text = "Need MAIL before RCPT"
	case (v == VerbDATA || v == VerbBDAT) && c.state == StateReady:
		text = "Need MAIL before " + v.String()
	case (v == VerbDATA || v == VerbBDAT) && c.state == StateMail:
		text = "Need RCPT before " + v.String()
	case v == VerbAUTH || v == VerbSTARTTLS:
		text = v.String() + " not allowed during a mail transaction"
	}
	return NewReply(CodeBadSequence, EnhancedInvalidCommand, text)
}

func (c *Conn) helpList() string {
	s := "HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP"
	if c.srv.LMTP {
		s = "LHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP"
	}
	if c.srv.TLSConfig != nil {
		s += " STARTTLS"
	}
	if c.authMechanisms() != nil {
		s += " AUTH"
	}
	return s
}

// handleHello answers EHLO/LHLO (extended) or HELO (RFC 5321 4.1.1.1).
// Either resets a transaction; the argument is required but, as most
// servers do, any printable word is accepted as the client's name.
func (c *Conn) handleHello(arg []byte, extended bool) Outcome {
	if len(arg) == 0 || bytes.IndexByte(arg, ' ') >= 0 {
		return c.refused(syntaxError("Syntax: EHLO hostname"))
	}
	c.resetTransaction()
	c.hostname = string(arg)
	c.extended = extended
	first := c.srv.domain() + " Hello "
	first += echoName(c.hostname, 512-len("250-")-len(first)-len("\r\n"))
	if !extended {
		return c.accepted(&Reply{Code: CodeOK, Lines: []string{first}})
	}
	lines := []string{first, "PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8",
		"CHUNKING", "BINARYMIME", "DSN"}
	if max := c.srv.limits().MaxMessageBytes; max > 0 {
		lines = append(lines, "SIZE "+strconv.FormatInt(max, 10))
	} else {
		lines = append(lines, "SIZE")
	}
	if c.srv.TLSConfig != nil && c.line.TLS == nil {
		lines = append(lines, "STARTTLS")
	}
	if mechs := c.authMechanisms(); mechs != nil && !c.authed && (c.line.TLS != nil || c.srv.AllowInsecureAuth) {
		lines = append(lines, "AUTH "+joinWords(mechs))
	}
	// RFC 9422 LIMITS: tell pipelining clients how many RCPTs fit.
	lines = append(lines, "LIMITS RCPTMAX="+strconv.Itoa(c.srv.limits().MaxRecipients), "HELP")
	return c.accepted(&Reply{Code: CodeOK, Lines: lines})
}

// echoName returns the client's name as the EHLO reply may echo it, in
// at most room octets: reply text is printable ASCII (RFC 5321 4.2
// textstring; the names in an EHLO reply are ASCII, RFC 6531 3.7.1), so
// any other octet shows as "?", and a reply line holds at most 512
// octets with its code and CRLF (RFC 5321 4.5.3.1.5), so a longer name
// is cut.
func echoName(name string, room int) string {
	b := []byte(name[:min(len(name), max(room, 0))])
	for i, c := range b {
		if c < 0x21 || c > 0x7e {
			b[i] = '?'
		}
	}
	return string(b)
}

func joinWords(w []string) string {
	var b bytes.Buffer
	for i, s := range w {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	return b.String()
}

func (c *Conn) handleVerify(arg []byte) Outcome {
	if len(arg) == 0 {
		return c.refused(syntaxError("Syntax: VRFY address"))
	}
	if vs, ok := c.session.(VerifySession); ok {
		if err := vs.Verify(c.line.Ctx, string(arg)); err != nil {
			return c.refused(c.replyFor(err, CodeLocalError, EnhancedTempLocalError))
		}
		return c.accepted(NewReply(CodeOK, EnhancedRecipientOK, string(arg)))
	}
	return c.accepted(NewReply(CodeCannotVerify, EnhancedProtocolOK, "Cannot VRFY user, but will accept message and attempt delivery"))
}

// resetTransaction forgets the open transaction, if any, and tells the
// session. The state is left to the table: the command that resets
// reports its outcome.
func (c *Conn) resetTransaction() {
	if c.state == StateMail || c.state == StateRcpt || c.state == StateBDAT {
		c.session.Reset(c.line.Ctx)
	}
	c.mailOpts = nil
	c.rcpts = c.rcpts[:0]
}

var (
	replyOK           = NewReply(CodeOK, EnhancedOK, "OK")
	replyUnrecognized = NewReply(CodeSyntaxError, EnhancedInvalidCommand, "Command unrecognized")
)

// replyFor turns a backend error into the reply the client sees: a *Reply
// as it is, anything else as the generic code given (its text is logged,
// never sent, so no internal detail leaks).
func (c *Conn) replyFor(err error, code int, enh EnhancedCode) *Reply {
	var r *Reply
	if errors.As(err, &r) {
		return r
	}
	c.srv.logger().Error("smtp: backend error", "remote", c.io.Conn().RemoteAddr(), "err", err)
	text := "Local error in processing"
	if code == CodeAuthInvalid {
		text = "Authentication credentials invalid"
	}
	return NewReply(code, enh, text)
}

// reply queues r; it is flushed before the next read blocks.
func (c *Conn) reply(r *Reply) {
	if c.line.Debugging() {
		c.debug("S: %s", r.Error())
	}
	r.writeTo(c.bw, true)
}

// fail queues an error reply and counts it towards MaxErrors.
func (c *Conn) fail(r *Reply) {
	c.errors++
	c.reply(r)
}

// accepted queues the reply of a command that did what it asks.
func (c *Conn) accepted(r *Reply) Outcome {
	c.reply(r)
	return OutcomeAccepted
}

// refused fails a command with r.
func (c *Conn) refused(r *Reply) Outcome {
	c.fail(r)
	return OutcomeRefused
}

// debug writes a line to the server's Debug writer, if any.
func (c *Conn) debug(format string, args ...any) { c.line.Debugf(format, args...) }
