package smtp

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Mail sends MAIL FROM (RFC 5321 4.1.1.2), starting a transaction. from ""
// is the null reverse path <> (RFC 5321 4.5.5, for bounces). opts may be
// nil; each parameter it sets needs the extension that defines it, else
// Mail fails without sending anything: BODY=8BITMIME needs 8BITMIME (RFC
// 6152), BODY=BINARYMIME needs BINARYMIME (RFC 3030), SMTPUTF8 needs
// SMTPUTF8 (RFC 6531), RET and ENVID need DSN (RFC 3461), AUTH needs AUTH
// (RFC 4954 5). SIZE (RFC 1870) is only a hint and is left out when the
// server does not offer it, as is BODY=7BIT, the default.
func (c *Client) Mail(ctx context.Context, from string, opts *MailOptions) error {
	if err := c.allowed(VerbMAIL); err != nil {
		return err
	}
	line, utf8, err := c.mailLine(from, opts)
	if err != nil {
		return err
	}
	return c.w.Do(ctx, func() error {
		r, err := c.cmd(line)
		if err != nil {
			return err
		}
		return c.mailReply(r, utf8)
	})
}

// mailReply starts the transaction a 250 to MAIL opens, or returns the
// refusal.
func (c *Client) mailReply(r *Reply, utf8 bool) error {
	if err := c.answered(VerbMAIL, r, CodeOK); err != nil {
		return err
	}
	c.endTransaction()
	c.txUTF8 = utf8
	return nil
}

// Rcpt sends RCPT TO (RFC 5321 4.1.1.3). to is a mailbox, or "Postmaster",
// which every server must accept without a domain. UTF-8 mailboxes need a
// transaction started with MailOptions.UTF8 (RFC 6531 3.4). NOTIFY and
// ORCPT need DSN (RFC 3461 4). 250 and 251 give nil.
func (c *Client) Rcpt(ctx context.Context, to string, opts *RcptOptions) error {
	if err := c.allowed(VerbRCPT); err != nil {
		return err
	}
	line, err := c.rcptLine(to, opts, c.txUTF8)
	if err != nil {
		return err
	}
	return c.w.Do(ctx, func() error {
		r, err := c.cmd(line)
		if err != nil {
			return err
		}
		return c.rcptReply(to, r)
	})
}

// rcptReply records an accepted recipient, or returns the refusal.
func (c *Client) rcptReply(to string, r *Reply) error {
	if err := c.answered(VerbRCPT, r, CodeOK, CodeUserNotLocalForwarded); err != nil {
		return err
	}
	c.accepted = append(c.accepted, to)
	return nil
}

func (c *Client) needExt(kw, what string) error {
	if !c.Supports(kw) {
		return fmt.Errorf("%w: %s needs the %s extension, which the server does not offer", ErrClientState, what, kw)
	}
	return nil
}

// mailLine formats MAIL FROM:<path> [SP Mail-parameters] (RFC 5321 4.1.2),
// checking every part against the grammar so that nothing the caller gives
// can add a parameter or a line.
func (c *Client) mailLine(from string, opts *MailOptions) (string, bool, error) {
	var o MailOptions
	if opts != nil {
		o = *opts
	}
	if o.UTF8 {
		if err := c.needExt("SMTPUTF8", "SMTPUTF8"); err != nil {
			return "", false, err
		}
	}
	if from != "" && !ValidAddress(from, o.UTF8) {
		return "", false, fmt.Errorf("%w: sender %q", ErrInvalidArgument, from)
	}
	var b strings.Builder
	b.WriteString("MAIL FROM:<")
	b.WriteString(from)
	b.WriteByte('>')
	if o.Size < 0 {
		return "", false, fmt.Errorf("%w: SIZE %d", ErrInvalidArgument, o.Size)
	}
	if o.Size > 0 && c.Supports("SIZE") {
		b.WriteString(" SIZE=")
		b.WriteString(strconv.FormatInt(o.Size, 10))
	}
	switch o.Body {
	case "", Body7Bit:
	case Body8BitMIME, BodyBinaryMIME:
		if err := c.needExt(string(o.Body), "BODY="+string(o.Body)); err != nil {
			return "", false, err
		}
		b.WriteString(" BODY=")
		b.WriteString(string(o.Body))
	default:
		return "", false, fmt.Errorf("%w: BODY %q", ErrInvalidArgument, o.Body)
	}
	if o.UTF8 {
		b.WriteString(" SMTPUTF8")
	}
	if o.Return != "" {
		if err := c.needExt("DSN", "RET"); err != nil {
			return "", false, err
		}
		if o.Return != ReturnFull && o.Return != ReturnHeaders {
			return "", false, fmt.Errorf("%w: RET %q", ErrInvalidArgument, o.Return)
		}
		b.WriteString(" RET=")
		b.WriteString(string(o.Return))
	}
	if o.EnvelopeID != "" {
		if err := c.needExt("DSN", "ENVID"); err != nil {
			return "", false, err
		}
		// RFC 3461 4.4: the encoded ENVID is at most 100 characters.
		id := encodeXtext(o.EnvelopeID)
		if len(id) > 100 {
			return "", false, fmt.Errorf("%w: ENVID longer than 100 characters", ErrInvalidArgument)
		}
		b.WriteString(" ENVID=")
		b.WriteString(id)
	}
	if o.Auth != "" {
		if err := c.needExt("AUTH", "AUTH="); err != nil {
			return "", false, err
		}
		if o.Auth != "<>" && !ValidAddress(o.Auth, o.UTF8) {
			return "", false, fmt.Errorf("%w: AUTH= %q", ErrInvalidArgument, o.Auth)
		}
		b.WriteString(" AUTH=")
		b.WriteString(encodeXtext(o.Auth))
	}
	return b.String(), o.UTF8, nil
}

// rcptLine formats RCPT TO:<path> [SP Rcpt-parameters] (RFC 5321 4.1.1.3,
// RFC 3461 4.1 and 4.2) for a transaction that uses SMTPUTF8 or not.
func (c *Client) rcptLine(to string, opts *RcptOptions, utf8 bool) (string, error) {
	if !strings.EqualFold(to, "postmaster") && !ValidAddress(to, utf8) {
		return "", fmt.Errorf("%w: recipient %q", ErrInvalidArgument, to)
	}
	var b strings.Builder
	b.WriteString("RCPT TO:<")
	b.WriteString(to)
	b.WriteByte('>')
	if opts == nil {
		return b.String(), nil
	}
	if len(opts.Notify) > 0 {
		if err := c.needExt("DSN", "NOTIFY"); err != nil {
			return "", err
		}
		b.WriteString(" NOTIFY=")
		for i, n := range opts.Notify {
			switch {
			case n == NotifyNever && len(opts.Notify) == 1:
			case n == NotifySuccess || n == NotifyFailure || n == NotifyDelay:
				for _, m := range opts.Notify[:i] {
					if m == n {
						return "", fmt.Errorf("%w: NOTIFY lists %s twice", ErrInvalidArgument, n)
					}
				}
			default:
				return "", fmt.Errorf("%w: NOTIFY %v", ErrInvalidArgument, opts.Notify)
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(string(n))
		}
	}
	if opts.OriginalRecipient != "" || opts.OriginalRecipientType != "" {
		if err := c.needExt("DSN", "ORCPT"); err != nil {
			return "", err
		}
		typ := opts.OriginalRecipientType
		if typ == "" {
			typ = "rfc822"
		}
		if !isAddrType(typ) || opts.OriginalRecipient == "" {
			return "", fmt.Errorf("%w: ORCPT %q;%q", ErrInvalidArgument, typ, opts.OriginalRecipient)
		}
		b.WriteString(" ORCPT=")
		b.WriteString(typ)
		b.WriteByte(';')
		b.WriteString(encodeXtext(opts.OriginalRecipient))
	}
	return b.String(), nil
}

// isAddrType checks the addr-type of ORCPT, an atom naming an address type
// such as "rfc822" or "utf-8" (RFC 3461 4.2, RFC 6533 3).
func isAddrType(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}
