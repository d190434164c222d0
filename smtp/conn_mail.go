package smtp

import (
	"errors"
	"io"
	"net"
	"strings"

	"github.com/mailwire/mailwire/internal/dotstream"
	"github.com/mailwire/mailwire/internal/netserver"
)

// handleMail answers MAIL FROM (RFC 5321 4.1.1.2).
func (c *Conn) handleMail(arg []byte) Outcome {
	if c.srv.AuthRequired && !c.authed {
		return c.refused(NewReply(CodeAuthRequired, EnhancedSecurity, "Authentication required"))
	}
	from, opts, r := parseMailArg(arg, true)
	if r != nil {
		return c.refused(r)
	}
	// RFC 1870 section 6: refuse a declared size over the limit at once.
	if max := c.srv.limits().MaxMessageBytes; max > 0 && opts.Size > max {
		return c.refused(NewReply(CodeExceededStorage, EnhancedTooBig, "Message size exceeds fixed maximum message size"))
	}
	if err := c.session.Mail(c.line.Ctx, from, opts); err != nil {
		return c.refused(c.replyFor(err, CodeLocalError, EnhancedTempLocalError))
	}
	c.mailOpts = opts
	return c.accepted(replyMailOK)
}

// handleRcpt answers RCPT TO (RFC 5321 4.1.1.3).
func (c *Conn) handleRcpt(arg []byte) Outcome {
	if len(c.rcpts) >= c.srv.limits().MaxRecipients {
		// RFC 5321 4.5.3.1.10 and RFC 3463 4.5.3 "too many recipients":
		// temporary, so the client sends the rest in another transaction.
		return c.refused(NewReply(CodeInsufficientStorage, EnhancedTempTooManyRecipients, "Too many recipients"))
	}
	to, opts, r := parseRcptArg(arg, c.mailOpts.UTF8)
	if r != nil {
		return c.refused(r)
	}
	if first, dup := c.acceptedRcpt(to); dup {
		// Accepted again, delivered once: the Backend never sees the
		// duplicate, so 100 copies of one RCPT cannot multiply the stored
		// message. LMTP still owes it a reply after the data (RFC 2033
		// section 4.2), which it shares with the first.
		c.rcpts = append(c.rcpts, first)
		return c.accepted(replyRcptOK)
	}
	if err := c.session.Rcpt(c.line.Ctx, to, opts); err != nil {
		return c.refused(c.replyFor(err, CodeLocalError, EnhancedTempLocalError))
	}
	c.rcpts = append(c.rcpts, to)
	return c.accepted(replyRcptOK)
}

// acceptedRcpt returns the recipient of this transaction that to repeats,
// if any. Addresses compare without regard to case: RFC 5321 2.4 leaves
// the local part's case to the receiving host, and hosts (Postfix,
// Dovecot, the large providers) fold it, so "Alice@x" and "alice@x" are
// one mailbox for this purpose, as Postfix's duplicate filter treats
// them.
func (c *Conn) acceptedRcpt(to string) (string, bool) {
	for _, r := range c.rcpts {
		if strings.EqualFold(r, to) {
			return r, true
		}
	}
	return "", false
}

var (
	replyMailOK  = NewReply(CodeOK, EnhancedSenderOK, "Sender OK")
	replyRcptOK  = NewReply(CodeOK, EnhancedRecipientOK, "Recipient OK")
	replyQueued  = NewReply(CodeOK, EnhancedOK, "Message accepted")
	replyChunkOK = NewReply(CodeOK, EnhancedOK, "Chunk received")
	// replyStartData is 354; RFC 2034 section 4 gives it no enhanced code.
	replyStartData = NewReply(CodeStartMailInput, NoEnhancedCode, "End data with <CR><LF>.<CR><LF>")
)

// handleData answers DATA (RFC 5321 4.1.1.4) and receives the message.
// Its 354 keeps the state; the answer to the message ends the transaction.
func (c *Conn) handleData(arg []byte) Outcome {
	if len(arg) > 0 {
		return c.refused(syntaxError("DATA takes no arguments"))
	}
	if c.mailOpts.Body == BodyBinaryMIME {
		// RFC 3030 section 3: a BINARYMIME message must be sent with BDAT.
		return c.refused(NewReply(CodeBadSequence, EnhancedInvalidCommand, "BODY=BINARYMIME requires BDAT"))
	}
	c.reply(replyStartData)
	if err := c.bw.Flush(); err != nil {
		return OutcomeClosed
	}
	c.io.SetReadTimeout(c.srv.limits().DataTimeout)
	dr := dotstream.NewReader(c.br, dotstream.Options{
		MaxLineLength:     c.srv.limits().MaxTextLineLength,
		MaxSize:           c.srv.limits().MaxMessageBytes,
		AllowBareNewlines: c.srv.AllowBareNewlines,
		RejectNUL:         true,
	})
	replies, _ := c.deliver(dr)
	// Whatever the backend did, read to the terminator so that the next
	// command is read in step; if that fails the client is gone and
	// nothing may be acknowledged.
	if err := dr.Discard(); err != nil {
		c.srv.logger().Info("smtp: connection lost during DATA", "remote", c.io.Conn().RemoteAddr(), "err", err)
		c.closeOnError(err)
		return OutcomeClosed
	}
	c.debug("C: [%d octets of message data]", dr.Size())
	if cerr := dr.Err(); cerr != nil {
		r := contentReply(cerr)
		for i := range replies {
			replies[i] = r
		}
	}
	return c.endTransaction(replies)
}

// contentReply is the reply for message data that broke a limit or the
// CRLF rules.
func contentReply(err error) *Reply {
	switch err {
	case dotstream.ErrTooLarge:
		return NewReply(CodeExceededStorage, EnhancedTooBig, "Message size exceeds fixed maximum message size")
	case dotstream.ErrLineTooLong:
		return NewReply(CodeSyntaxError, EnhancedSyntaxError, "Line too long in message data")
	case dotstream.ErrBareLF, dotstream.ErrBareCR:
		return NewReply(CodeTransactionFailed, EnhancedMediaError, "Bare CR or LF in message data; lines must end with CRLF")
	case dotstream.ErrNUL:
		return NewReply(CodeTransactionFailed, EnhancedMediaError, "NUL octet in message data")
	}
	return nil
}

// deliver hands the message to the session and returns the replies to
// send: one, or one per recipient in LMTP mode (RFC 2033 4.2).
func (c *Conn) deliver(r io.Reader) ([]*Reply, error) {
	n := 1
	if c.srv.LMTP {
		n = len(c.rcpts)
	}
	replies := make([]*Reply, n)
	var err error
	var status *LMTPStatus
	if ls, ok := c.session.(LMTPSession); ok && c.srv.LMTP {
		status = &LMTPStatus{rcpts: c.rcpts}
		err = ls.LMTPData(c.line.Ctx, r, status)
	} else {
		err = c.session.Data(c.line.Ctx, r)
	}
	def := c.dataErrorReply(err)
	for i := range replies {
		replies[i] = def
		if status != nil {
			if rerr, ok := status.results[i]; ok {
				replies[i] = c.dataErrorReply(rerr)
			}
		}
	}
	return replies, err
}

// dataErrorReply maps the result of Data: nil is 250; a read timeout or
// lost connection is answered (if at all) by the caller.
func (c *Conn) dataErrorReply(err error) *Reply {
	if err == nil {
		return replyQueued
	}
	if r := contentReply(err); r != nil {
		return r
	}
	return c.replyFor(err, CodeLocalError, EnhancedTempLocalError)
}

// endTransaction sends the message's replies and closes the transaction:
// the message ended, whatever the replies (RFC 5321 4.1.1.4).
func (c *Conn) endTransaction(replies []*Reply) Outcome {
	for _, r := range replies {
		if r.Positive() {
			c.reply(r)
		} else {
			c.fail(r)
		}
	}
	c.session.Reset(c.line.Ctx)
	c.mailOpts = nil
	c.rcpts = c.rcpts[:0]
	return OutcomeMessageEnded
}

// handleBDAT answers BDAT (RFC 3030 section 2) and, for the first chunk of
// a message, receives the whole message through a bdatReader that reads the
// following BDAT commands itself. Chunk octets are always consumed, even
// when the command is refused, so they can never be run as commands.
// Each acknowledged chunk enters StateBDAT; the answer to LAST ends the
// transaction, and so does another command before LAST (the table's
// refused BDAT).
func (c *Conn) handleBDAT(arg []byte) Outcome {
	size, last, ok := parseBDATArg(arg)
	if !ok {
		// Without a size the stream cannot be followed any further.
		c.fail(syntaxError("Syntax: BDAT size [LAST]; closing connection"))
		return OutcomeClosed
	}
	c.io.SetReadTimeout(c.srv.limits().DataTimeout)
	br := &bdatReader{c: c, remaining: size, last: last, max: c.srv.limits().MaxMessageBytes}
	replies, derr := c.deliver(br)
	if err := br.drain(derr == nil); err != nil {
		c.srv.logger().Info("smtp: connection lost during BDAT", "remote", c.io.Conn().RemoteAddr(), "err", err)
		c.closeOnError(err)
		return OutcomeClosed
	}
	if br.aborted {
		// A command other than BDAT came before LAST: the message is
		// incomplete and is not answered; the transaction failed (RFC
		// 3030 2) and the command runs next, outside it.
		c.resetTransaction()
		return OutcomeRefused
	}
	if br.err == errChunkTooLarge {
		r := contentReply(dotstream.ErrTooLarge)
		for i := range replies {
			replies[i] = r
		}
	}
	return c.endTransaction(replies)
}

var (
	errChunkTooLarge = errors.New("smtp: message exceeds the size limit")
	errBDATAborted   = errors.New("smtp: BDAT transfer interrupted by another command")
)

// bdatReader returns the octets of consecutive BDAT chunks as one stream
// (RFC 3030 section 2). At the end of a chunk that is not LAST it
// acknowledges it with 250 and reads the next command: another BDAT
// continues the stream, anything else aborts it and is kept for the command
// loop.
type bdatReader struct {
	c         *Conn
	remaining int64
	last      bool
	total     int64
	max       int64
	err       error
	aborted   bool
}

func (b *bdatReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	for b.remaining == 0 {
		if b.last {
			return 0, io.EOF
		}
		if err := b.nextChunk(); err != nil {
			b.err = err
			return 0, err
		}
	}
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	n, err := b.c.br.Read(p)
	b.remaining -= int64(n)
	b.total += int64(n)
	if b.max > 0 && b.total > b.max {
		b.err = errChunkTooLarge
		return n, b.err
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		b.err = err
	}
	return n, err
}

// nextChunk acknowledges the finished chunk and reads the next command.
func (b *bdatReader) nextChunk() error {
	c := b.c
	c.reply(replyChunkOK)
	c.transition(VerbBDAT, OutcomeAccepted)
	c.io.SetReadTimeout(c.srv.limits().CommandTimeout)
	line, err := c.readCommand()
	for err == nil && line == nil { // answered (too long, NUL); wait for the next
		if c.closeOnTooManyErrors() {
			b.aborted = true // the message is incomplete; the 421 ends it
			return errBDATAborted
		}
		line, err = c.readCommand()
	}
	if err != nil {
		return err
	}
	verb, arg := splitCommand(line)
	if verb != VerbBDAT {
		c.pending = append([]byte(nil), line...)
		b.aborted = true
		return errBDATAborted
	}
	c.debug("C: %s", line)
	size, last, ok := parseBDATArg(arg)
	if !ok {
		c.pending = append([]byte(nil), line...)
		b.aborted = true
		return errBDATAborted
	}
	c.io.SetReadTimeout(c.srv.limits().DataTimeout)
	b.remaining, b.last = size, last
	return nil
}

// drain consumes the rest of the current chunk; with all set (the backend
// accepted the message without reading it to the end) also the chunks up to
// LAST. Only I/O errors are returned.
func (b *bdatReader) drain(all bool) error {
	for {
		if b.remaining > 0 {
			n, err := io.CopyN(io.Discard, b.c.br, b.remaining)
			b.remaining -= n
			if err != nil {
				return err
			}
		}
		if b.err != nil {
			var ne net.Error
			if errors.As(b.err, &ne) || b.err == io.ErrUnexpectedEOF || b.err == netserver.ErrShutdown {
				return b.err
			}
			return nil
		}
		if b.last || !all {
			return nil
		}
		if err := b.nextChunk(); err != nil {
			b.err = err
		}
	}
}

// discardChunk consumes the octets of a refused BDAT command.
func (c *Conn) discardChunk(arg []byte) bool {
	size, _, ok := parseBDATArg(arg)
	if !ok {
		return false
	}
	_, err := io.CopyN(io.Discard, c.br, size)
	return err == nil
}
