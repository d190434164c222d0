package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// RecipientError is one recipient the server refused, at RCPT or, on LMTP,
// after the data (RFC 2033 4.2).
type RecipientError struct {
	Recipient string
	Reply     *Reply
}

// Error names the recipient and the server's reply.
func (e *RecipientError) Error() string {
	return "smtp: recipient <" + e.Recipient + ">: " + e.Reply.Error()
}

// Unwrap returns the reply, for errors.As.
func (e *RecipientError) Unwrap() error { return e.Reply }

// SendError is what Send returns when some recipients were refused.
// Delivered counts the recipients the message was accepted for; when it is
// 0, nothing was sent. errors.As reaches each RecipientError and Reply.
type SendError struct {
	Failed    []*RecipientError
	Delivered int
}

// Error counts the refused recipients and gives each one's reply.
func (e *SendError) Error() string {
	var b strings.Builder
	b.WriteString("smtp: ")
	b.WriteString(strconv.Itoa(len(e.Failed)))
	b.WriteString(" of ")
	b.WriteString(strconv.Itoa(len(e.Failed) + e.Delivered))
	b.WriteString(" recipients refused")
	for _, f := range e.Failed {
		b.WriteString("; <")
		b.WriteString(f.Recipient)
		b.WriteString(">: ")
		b.WriteString(f.Reply.Error())
	}
	return b.String()
}

// Unwrap returns the RecipientErrors.
func (e *SendError) Unwrap() []error {
	errs := make([]error, len(e.Failed))
	for i, f := range e.Failed {
		errs[i] = f
	}
	return errs
}

// Send runs one whole mail transaction (RFC 5321 3.3): MAIL, a RCPT for
// each of to, then the message read from msg, which must be a complete RFC
// 5322 message with CRLF line ends (see Options.NormalizeNewlines).
//
// When the server offers PIPELINING, MAIL, every RCPT and DATA go in one
// write and the replies are matched in order (RFC 2920 3.1). With
// opts.Body set to BINARYMIME the message goes in BDAT chunks (RFC 3030 3,
// which needs CHUNKING). An address with UTF-8 turns on SMTPUTF8 when the
// server offers it (RFC 6531 3.4).
//
// A refused MAIL, DATA or message is returned as its *Reply. When some
// recipients are refused, the message still goes to the others and Send
// returns a *SendError listing the refusals; when all are, nothing is
// sent, the transaction is reset and the *SendError has Delivered 0.
func (c *Client) Send(ctx context.Context, from string, to []string, msg io.Reader, opts *MailOptions) error {
	return c.send(ctx, from, to, msg, opts, nil)
}

// send is Send with the parameters of every RCPT.
func (c *Client) send(ctx context.Context, from string, to []string, msg io.Reader, opts *MailOptions, rcpt *RcptOptions) error {
	if err := c.allowed(VerbMAIL); err != nil {
		return err
	}
	if len(to) == 0 {
		return fmt.Errorf("%w: no recipient", ErrInvalidArgument)
	}
	var o MailOptions
	if opts != nil {
		o = *opts
	}
	if !o.UTF8 && c.Supports("SMTPUTF8") && anyNonASCII(from, to) {
		o.UTF8 = true
	}
	mail, utf8, err := c.mailLine(from, &o)
	if err != nil {
		return err
	}
	bdat := o.Body == BodyBinaryMIME
	if bdat {
		if err := c.needExt("CHUNKING", "BODY=BINARYMIME"); err != nil {
			return err
		}
	}
	rcpts := make([]string, len(to))
	for i, t := range to {
		if rcpts[i], err = c.rcptLine(t, rcpt, utf8); err != nil {
			return err
		}
	}
	if err := c.w.Begin(ctx); err != nil {
		return err
	}
	var refused []*RecipientError
	if c.Supports("PIPELINING") {
		refused, err = c.envelopePipelined(mail, rcpts, to, utf8, !bdat)
	} else {
		refused, err = c.envelope(mail, rcpts, to, utf8, !bdat)
	}
	if err != nil {
		return c.w.End(err)
	}
	w := c.openData(!bdat)
	if _, err := io.Copy(w, msg); err != nil && w.err == nil {
		// The message could not be read: end nothing, deliver nothing.
		w.abort(fmt.Errorf("smtp: reading the message: %w", err))
	}
	err = w.Close()
	var lmtpErr *SendError
	switch {
	case errors.As(err, &lmtpErr):
		lmtpErr.Failed = append(refused, lmtpErr.Failed...)
		return lmtpErr
	case err != nil:
		return err
	case refused != nil:
		return &SendError{Failed: refused, Delivered: len(to) - len(refused)}
	}
	return nil
}

// envelope sends MAIL and the RCPTs one at a time and, for DATA, the DATA
// command. It returns the refused recipients; an error means the message
// cannot be sent and the transaction was reset.
func (c *Client) envelope(mail string, rcpts, to []string, utf8, data bool) ([]*RecipientError, error) {
	r, err := c.cmd(mail)
	if err != nil {
		return nil, err
	}
	if err := c.mailReply(r, utf8); err != nil {
		return nil, err
	}
	var refused []*RecipientError
	for i, line := range rcpts {
		r, err := c.cmd(line)
		if err != nil {
			return nil, err
		}
		if c.rcptReply(to[i], r) != nil {
			refused = append(refused, &RecipientError{Recipient: to[i], Reply: r})
		}
	}
	if len(c.accepted) == 0 {
		return nil, c.abandon(&SendError{Failed: refused})
	}
	if data {
		if err := c.command(VerbDATA, "DATA", CodeStartMailInput); err != nil {
			return nil, c.abandon(err)
		}
	}
	return refused, nil
}

// envelopePipelined is envelope in one write (RFC 2920 3.1): MAIL, the
// RCPTs and DATA, whose replies are then read in order.
func (c *Client) envelopePipelined(mail string, rcpts, to []string, utf8, data bool) ([]*RecipientError, error) {
	c.w.WriteLine(mail)
	for _, line := range rcpts {
		c.w.WriteLine(line)
	}
	if data {
		c.w.WriteLine("DATA")
	}
	if err := c.w.Flush(); err != nil {
		return nil, err
	}
	r, err := c.read()
	if err != nil {
		return nil, err
	}
	mailErr := c.mailReply(r, utf8)
	var refused []*RecipientError
	for i := range rcpts {
		r, err := c.read()
		if err != nil {
			return nil, err
		}
		if mailErr == nil && c.rcptReply(to[i], r) != nil {
			refused = append(refused, &RecipientError{Recipient: to[i], Reply: r})
		}
	}
	var dataErr error
	if data {
		if r, err = c.read(); err != nil {
			return nil, err
		}
		dataErr = c.answered(VerbDATA, r, CodeStartMailInput)
		if dataErr == nil && (mailErr != nil || len(c.accepted) == 0) {
			// A server that took DATA without a recipient gets an empty
			// message, which it must refuse (RFC 2920 3.1).
			c.w.WriteLine(".")
			if err := c.w.Flush(); err != nil {
				return nil, err
			}
			if _, err := c.read(); err != nil {
				return nil, err
			}
			c.transition(VerbDATA, OutcomeMessageEnded)
		}
	}
	switch {
	case mailErr != nil:
		return nil, mailErr
	case len(c.accepted) == 0:
		return nil, c.abandon(&SendError{Failed: refused})
	case dataErr != nil:
		return nil, c.abandon(dataErr)
	}
	return refused, nil
}

// abandon resets an open transaction that cannot go on and returns err.
func (c *Client) abandon(err error) error {
	if rerr := c.rset(); rerr != nil {
		return rerr
	}
	return err
}

func anyNonASCII(from string, to []string) bool {
	for _, s := range append([]string{from}, to...) {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return true
			}
		}
	}
	return false
}

// SendOptions are the choices of SendMail. A nil *SendOptions takes every
// default.
type SendOptions struct {
	// TLSConfig, when set, makes STARTTLS required (RFC 3207): when the
	// server does not offer it, or the upgrade fails, SendMail returns the
	// error having sent nothing after EHLO. nil means opportunistic
	// STARTTLS, as mail between servers does: used when the server offers
	// it, skipped when it does not, so that the message may travel in
	// cleartext. In both cases the certificate must match the host of addr
	// (unless TLSConfig names another ServerName) and a failed upgrade is
	// an error, never a fallback to cleartext.
	TLSConfig *tls.Config
	// LocalName is the name EHLO sends (default "localhost").
	LocalName string
	// Size declares the message's size in octets with SIZE (RFC 1870 6)
	// when the server offers it, so that a server which cannot take it
	// refuses MAIL before the data is sent; 0 declares nothing.
	Size int64
	// SMTPUTF8 says that the message needs SMTPUTF8 (RFC 6531 3.4), for
	// UTF-8 in its header fields. A server that does not offer it cannot
	// take such a message: SendMail fails with ErrClientState before
	// MAIL. Addresses with UTF-8 turn it on by themselves (see Send).
	SMTPUTF8 bool
	// Return, EnvelopeID and Notify are the DSN parameters (RFC 3461 4.3,
	// 4.4 and 4.1, Notify for every recipient). They are sent when the
	// server offers DSN and left out when it does not, where they would be
	// refused (RFC 3461 4).
	Return     DSNReturn
	EnvelopeID string
	Notify     []DSNNotify
}

// SendMail sends one message the way a program usually does: it connects
// to addr, sends EHLO, STARTTLS as opts.TLSConfig says (see SendOptions),
// AUTH when auth is not nil (which refuses to send credentials in
// cleartext to a host that is not on a loopback address,
// ErrInsecureAuth), the transaction (Send) and QUIT. The errors are those
// of the steps; a *SendError from Send is returned after the QUIT.
func SendMail(ctx context.Context, addr string, auth SASLClient, from string, to []string, msg io.Reader, opts *SendOptions) error {
	var o SendOptions
	if opts != nil {
		o = *opts
	}
	c, err := o.dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if auth != nil {
		if err := c.Auth(ctx, auth); err != nil {
			return err
		}
	}
	mail, rcpt, err := o.params(c)
	if err != nil {
		return err
	}
	sendErr := c.send(ctx, from, to, msg, mail, rcpt)
	var partial *SendError
	if sendErr != nil && !(errors.As(sendErr, &partial) && partial.Delivered > 0) {
		return sendErr
	}
	if err := c.Quit(ctx); err != nil {
		return err
	}
	return sendErr
}

// dial connects, greets and starts TLS as o.TLSConfig says.
func (o *SendOptions) dial(ctx context.Context, addr string) (*Client, error) {
	copts := &Options{TLSConfig: o.TLSConfig, LocalName: o.LocalName}
	if o.TLSConfig != nil {
		return DialStartTLS(ctx, addr, copts)
	}
	c, err := Dial(ctx, addr, copts)
	if err != nil {
		return nil, err
	}
	err = c.Hello(ctx, "")
	if err == nil && c.Supports("STARTTLS") {
		err = c.StartTLS(ctx, nil)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// params turns o into the parameters of MAIL and RCPT that the server's
// extensions allow.
func (o *SendOptions) params(c *Client) (*MailOptions, *RcptOptions, error) {
	mail := &MailOptions{Size: o.Size, UTF8: o.SMTPUTF8}
	if o.SMTPUTF8 && !c.Supports("SMTPUTF8") {
		return nil, nil, c.needExt("SMTPUTF8", "a message with UTF-8 header fields")
	}
	if !c.Supports("DSN") {
		return mail, nil, nil
	}
	mail.Return, mail.EnvelopeID = o.Return, o.EnvelopeID
	return mail, &RcptOptions{Notify: o.Notify}, nil
}
