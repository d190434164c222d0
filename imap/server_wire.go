package imap

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mailwire/mailwire/imap/internal/wire"
	"github.com/mailwire/mailwire/internal/utf7"
)

// This file holds the server's argument readers: the pieces of RFC 3501
// section 9 that only a server reads, on top of the wire codec.

// errLimit reports arguments over a limit that the stream survived: the
// rest of the command can still be skipped.
var errLimit = badArgs("Argument too large")

// sp reads the space between arguments.
func (c *Conn) sp() error { return c.r.SP() }

// eol reads the end of the command line.
func (c *Conn) eol() error {
	if err := c.r.CRLF(); err != nil {
		return err
	}
	c.lineDone = true
	return nil
}

// astring reads an astring (RFC 3501 section 9). A literal is read into
// memory only if what is left of the command's budget (MaxLineLength)
// holds it; otherwise the reader refuses it before its continuation is
// sent, and commandError answers as RFC 7888 section 4 allows.
func (c *Conn) astring() (string, error) { return c.r.AString() }

// refuseLiteral notes an APPEND message literal whose header was read but
// whose bytes are not wanted: a synchronizing one ends the command (the
// client waits for a continuation that never comes), a non-synchronizing
// one is skipped with the rest of the command.
func (c *Conn) refuseLiteral(l wire.Literal) {
	if l.NonSync {
		c.skipLiteral = l.Size
	} else {
		c.lineDone = true
	}
}

// spMailbox reads SP mailbox, the start of most commands that name one.
func (c *Conn) spMailbox() (string, error) {
	if err := c.sp(); err != nil {
		return "", err
	}
	return c.mailbox()
}

// onlyMailbox reads the rest of a command whose one argument is a mailbox
// (DELETE, SUBSCRIBE, UNSUBSCRIBE: RFC 3501 sections 6.3.4, 6.3.6, 6.3.7),
// up to its CRLF. A name no store may see comes back as its refusal
// (checkMailboxName), with the command fully read.
func (c *Conn) onlyMailbox() (name string, refusal *StatusResponse, err error) {
	if name, err = c.spMailbox(); err != nil {
		return "", nil, err
	}
	if err := c.eol(); err != nil {
		return "", nil, err
	}
	return name, checkMailboxName(name), nil
}

// mailbox reads a mailbox name and decodes it from modified UTF-7 (RFC
// 3501 section 5.1.3), or takes it as UTF-8 under UTF8=ACCEPT (RFC 6855
// section 3). INBOX is case-insensitive (section 5.1).
func (c *Conn) mailbox() (string, error) {
	s, err := c.astring()
	if err != nil {
		return "", err
	}
	return c.decodeMailbox(s), nil
}

func (c *Conn) decodeMailbox(s string) string {
	if !c.utf8 {
		if d, err := utf7.Decode(s); err == nil {
			s = d
		}
	}
	if strings.EqualFold(s, Inbox) {
		return Inbox
	}
	if len(s) > len(Inbox) && strings.EqualFold(s[:len(Inbox)+1], Inbox+string(Delimiter)) {
		return Inbox + s[len(Inbox):]
	}
	return s
}

// checkMailboxName refuses names a store could misread: empty levels,
// "." and "..", control characters and invalid UTF-8. The answer is NO
// [CANNOT] (RFC 5530 section 3): the name is well-formed IMAP, but not
// one this server will create or look up.
func checkMailboxName(name string) *StatusResponse {
	bad := name == "" || !utf8.ValidString(name)
	for level := range strings.SplitSeq(name, string(Delimiter)) {
		if level == "" || level == "." || level == ".." {
			bad = true
		}
	}
	for i := 0; i < len(name) && !bad; i++ {
		bad = name[i] < 0x20 || name[i] == 0x7f
	}
	if bad {
		return no(CodeCannot, "Invalid mailbox name")
	}
	return nil
}

// seqSet reads a sequence set (RFC 3501 section 9). The reader counts its
// ranges against MaxSeqRanges, summed over the command.
func (c *Conn) seqSet() (SeqSet, error) {
	s, err := c.r.SeqSet()
	if err != nil {
		return SeqSet{}, err
	}
	if s == "$" {
		return SeqSet{}, badArgs("SEARCHRES is not supported")
	}
	set, err := ParseSeqSet(s)
	if err != nil {
		return SeqSet{}, badArgs("Invalid sequence set " + s)
	}
	return set, nil
}

// skipCommand skips what is left of the current command after an error:
// the rest of its line and of every line a non-synchronizing literal
// continues it onto, literal bytes included, a buffer at a time and under
// the same budget as the command (MaxLineLength): past it, the reader
// says ErrLineTooLong at once instead of reading on to an LF. A
// synchronizing literal at a line's end ends the command, since the
// client waits for a continuation that will not come. Only the message
// literal of a refused APPEND (skipLiteral), which MaxLiteralSize bounds
// instead, is discarded outside the budget; one over twice that is not
// worth reading (RFC 7888 section 4): BYE.
func (c *Conn) skipCommand() error {
	if c.lineDone {
		return nil
	}
	var tail [24]byte // the last bytes of the line, for a literal header
	if size := c.skipLiteral; size > 0 {
		c.skipLiteral = 0
		if size > c.r.Limits().MaxLiteral*2 {
			return errLiteralRefused
		}
		if err := c.r.Discard(size); err != nil {
			return err
		}
	}
	for {
		n, err := c.r.SkipLine(tail[:])
		if err != nil {
			return err
		}
		l, isLit := literalAtEnd(tail[:n])
		if !isLit || !l.NonSync {
			c.lineDone = true
			return nil
		}
		// A non-synchronizing literal the budget cannot hold: its
		// bytes are on their way, not worth reading (RFC 7888 section
		// 4). BYE, as Dovecot answers.
		if l.Size > c.r.Limits().MaxLiteral {
			return errLiteralRefused
		}
		if err := c.r.DiscardLiteral(l.Size); err != nil {
			if errors.Is(err, wire.ErrLineTooLong) {
				return errLiteralRefused
			}
			return err
		}
	}
}

// literalAtEnd reports whether line ends with a literal header: "{n}",
// "{n+}", "{n-}" or "~{n}", with or without the CR.
func literalAtEnd(line []byte) (wire.Literal, bool) {
	s := strings.TrimSuffix(string(line), "\r")
	if !strings.HasSuffix(s, "}") {
		return wire.Literal{}, false
	}
	open := strings.LastIndexByte(s, '{')
	if open < 0 {
		return wire.Literal{}, false
	}
	num := s[open+1 : len(s)-1]
	var l wire.Literal
	if strings.HasSuffix(num, "+") || strings.HasSuffix(num, "-") {
		l.NonSync = true
		num = num[:len(num)-1]
	}
	if num == "" || len(num) > 18 {
		return wire.Literal{}, false
	}
	for i := 0; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			return wire.Literal{}, false
		}
		l.Size = l.Size*10 + int64(num[i]-'0')
	}
	return l, true
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }
