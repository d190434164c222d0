package pop3

import (
	"io"
	"strconv"

	"github.com/mailwire/mailwire/internal/dotstream"
)

// stat counts the messages not marked deleted and their size (RFC 1939
// section 5, STAT).
func (c *Conn) stat() (n int, size int64) {
	for i, m := range c.msgs {
		if !c.deleted[i] {
			n++
			size += m.Size
		}
	}
	return n, size
}

// message resolves a message-number argument: it must be a number of the
// maildrop not marked deleted (RFC 1939 section 5). A bad one is answered
// here and yields 0 and the refusal.
func (c *Conn) message(arg string) (int, Outcome) {
	n, ok := parseDecimal(arg)
	switch {
	case !ok:
		return 0, c.fail(ErrResponse("", "Invalid message number"))
	case n < 1 || n > len(c.msgs):
		return 0, c.fail(ErrResponse("", "No such message"))
	case c.deleted[n-1]:
		return 0, c.fail(ErrResponse("", "Message "+arg+" already deleted"))
	}
	return n, OutcomeAccepted
}

func (c *Conn) handleStat() Outcome {
	n, size := c.stat()
	return c.accept(strconv.Itoa(n) + " " + strconv.FormatInt(size, 10))
}

// handleList answers LIST [msg] with scan listings (RFC 1939 section 5):
// one message, or every message not marked deleted.
func (c *Conn) handleList(args []string) Outcome {
	return c.listing(args, func(n int) string { return strconv.FormatInt(c.msgs[n-1].Size, 10) })
}

// handleUidl answers UIDL [msg] with unique-id listings (RFC 1939 section 7).
func (c *Conn) handleUidl(args []string) Outcome {
	return c.listing(args, func(n int) string { return c.msgs[n-1].UID })
}

// listing writes "n value" for one message as a single line, or for every
// message not marked deleted as a multi-line response.
func (c *Conn) listing(args []string, value func(n int) string) Outcome {
	if len(args) == 1 {
		n, o := c.message(args[0])
		if n > 0 {
			c.reply(OKResponse(strconv.Itoa(n) + " " + value(n)))
		}
		return o
	}
	count, size := c.stat()
	c.reply(OKResponse(strconv.Itoa(count) + " messages (" + strconv.FormatInt(size, 10) + " octets)"))
	var num [20]byte
	for i := range c.msgs {
		if c.deleted[i] {
			continue
		}
		c.bw.Write(strconv.AppendInt(num[:0], int64(i+1), 10))
		c.bw.WriteByte(' ')
		c.bw.WriteString(value(i + 1))
		c.bw.WriteString("\r\n")
	}
	c.debug("S: [%d listings]", count)
	c.endMultiLine()
	return OutcomeAccepted
}

// handleRetr sends a whole message (RFC 1939 section 5).
func (c *Conn) handleRetr(arg string) Outcome {
	n, o := c.message(arg)
	if n == 0 {
		return o
	}
	return c.send(n, -1)
}

// handleTop sends a message's header and its first lines of body (RFC 1939
// section 7).
func (c *Conn) handleTop(arg, lines string) Outcome {
	n, o := c.message(arg)
	if n == 0 {
		return o
	}
	count, ok := parseDecimal(lines)
	if !ok {
		return c.fail(ErrResponse("", "Invalid number of lines"))
	}
	return c.send(n, count)
}

// send streams message n, or its header and bodyLines lines of body when
// bodyLines >= 0, as a multi-line response: bare LF and CR become CRLF and
// lines starting with "." are stuffed (RFC 1939 section 3). Memory use is
// one copy buffer whatever the size. Once "+OK" is sent an error can no
// longer be reported, so a failure in the middle closes the connection
// without UPDATE.
func (c *Conn) send(n, bodyLines int) Outcome {
	rc, err := c.maildrop.Open(c.line.Ctx, n)
	if err != nil {
		return c.fail(c.responseFor(err, CodeSysTemp, "Cannot read the message"))
	}
	defer rc.Close()
	var src io.Reader = rc
	if bodyLines >= 0 {
		src = &topReader{r: rc, bodyLines: bodyLines, lineStart: true}
		c.reply(OKResponse("Top of message follows"))
	} else {
		c.reply(OKResponse(strconv.FormatInt(c.msgs[n-1].Size, 10) + " octets"))
	}
	if c.copyBuf == nil {
		c.copyBuf = make([]byte, 32<<10)
	}
	w := dotstream.NewWriter(c.bw, true)
	written, err := io.CopyBuffer(onlyWriter{w}, onlyReader{src}, c.copyBuf)
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		c.srv.logger().Error("pop3: sending a message", "user", c.identity, "msg", n, "err", err)
		return OutcomeClosed
	}
	c.debug("S: [%d octets of message %d]", written, n)
	c.debug("S: .")
	return OutcomeAccepted
}

// onlyWriter and onlyReader hide ReadFrom and WriteTo so that io.CopyBuffer
// uses the connection's buffer and never asks a source for its whole
// content at once.
type onlyWriter struct{ io.Writer }
type onlyReader struct{ io.Reader }

// handleDele marks a message deleted (RFC 1939 section 5); it is removed
// only in the UPDATE state.
func (c *Conn) handleDele(arg string) Outcome {
	n, o := c.message(arg)
	if n == 0 {
		return o
	}
	c.deleted[n-1] = true
	return c.accept("Message " + strconv.Itoa(n) + " deleted")
}

// handleRset unmarks every deleted message (RFC 1939 section 5).
func (c *Conn) handleRset() Outcome {
	clear(c.deleted)
	n, size := c.stat()
	return c.accept("Maildrop has " + strconv.Itoa(n) + " messages (" + strconv.FormatInt(size, 10) + " octets)")
}

// handleQuit ends the session. From AUTHORIZATION it just signs off (RFC
// 1939 section 4); from TRANSACTION it enters UPDATE (RFC 1939 section 6)
// and the outcome is that of the update, which ends the session either way.
func (c *Conn) handleQuit() Outcome {
	if c.state == StateTransaction {
		c.transition(VerbQUIT, OutcomeAccepted)
		return c.update()
	}
	return c.accept(c.srv.domain() + " POP3 server signing off")
}

// update applies the deletions in the UPDATE state (RFC 1939 section 6):
// the marked messages are removed, all or none, and if the backend cannot
// remove them the client gets -ERR and they stay.
func (c *Conn) update() Outcome {
	var marked []int
	for i, d := range c.deleted {
		if d {
			marked = append(marked, i+1)
		}
	}
	if len(marked) > 0 {
		if err := c.maildrop.Delete(c.line.Ctx, marked); err != nil {
			c.release()
			c.reply(c.responseFor(err, CodeSysTemp, "Some deleted messages not removed"))
			return OutcomeRefused
		}
	}
	n, _ := c.stat()
	text := c.srv.domain() + " POP3 server signing off (" + strconv.Itoa(n) + " messages left)"
	if n == 0 {
		text = c.srv.domain() + " POP3 server signing off (maildrop empty)"
	}
	// The lock goes before the reply: a client that reads +OK and logs in
	// again at once must find the maildrop free.
	c.release()
	return c.accept(text)
}
