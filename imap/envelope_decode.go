package imap

import (
	"strings"
	"time"

	"github.com/mailwire/mailwire/message"
)

// The Envelope keeps what the server sent; the methods below decode it the
// way the message package decodes the same header fields, so that a
// client reads "Subject", "From" and "Date" of an ENVELOPE exactly as it
// would read them from the message itself.

// DecodedSubject returns the Subject with its encoded words decoded to
// UTF-8 (RFC 2047 section 6.1), as message.DecodeText does it: text that
// is not an encoded word by the syntax of RFC 2047 section 2 is kept as
// it is, without an error, and a word in an unknown charset is kept as
// well, with a *message.CharsetError returned beside the rest of the
// decoded text. A NIL subject is "".
func (e *Envelope) DecodedSubject() (string, error) {
	return message.DecodeText(e.Subject)
}

// ParsedDate parses the Date (RFC 5322 section 3.3) as message.ParseDate
// does, obsolete forms of section 4.3 included. A NIL or unparseable date
// gives the zero time and an error matching message.ErrInvalidDate.
func (e *Envelope) ParsedDate() (time.Time, error) {
	return message.ParseDate(e.Date)
}

// FromAddresses decodes From (RFC 5322 section 3.6.2) as DecodeAddresses
// does.
func (e *Envelope) FromAddresses() ([]*message.Address, error) { return DecodeAddresses(e.From) }

// SenderAddresses decodes Sender, which the server sets to From when the
// message has none (RFC 3501 section 7.4.2).
func (e *Envelope) SenderAddresses() ([]*message.Address, error) {
	return DecodeAddresses(e.Sender)
}

// ReplyToAddresses decodes Reply-To, which the server sets to From when
// the message has none (RFC 3501 section 7.4.2).
func (e *Envelope) ReplyToAddresses() ([]*message.Address, error) {
	return DecodeAddresses(e.ReplyTo)
}

// ToAddresses decodes To (RFC 5322 section 3.6.3).
func (e *Envelope) ToAddresses() ([]*message.Address, error) { return DecodeAddresses(e.To) }

// CcAddresses decodes Cc (RFC 5322 section 3.6.3).
func (e *Envelope) CcAddresses() ([]*message.Address, error) { return DecodeAddresses(e.Cc) }

// BccAddresses decodes Bcc (RFC 5322 section 3.6.3).
func (e *Envelope) BccAddresses() ([]*message.Address, error) { return DecodeAddresses(e.Bcc) }

// DecodeAddresses turns an envelope address list into the mailboxes
// message.ParseAddressList returns for the same header field: group
// markers (RFC 3501 section 7.4.2) are dropped and their members kept, in
// order; display names have their encoded words decoded (RFC 2047 section
// 5 (3)); Addr is "local@domain" with the local part quoted where RFC
// 5322 section 3.4.1 needs it; the obsolete source route is dropped. The
// error is the first one decoding a name gave (a *message.CharsetError);
// every address is returned all the same.
func DecodeAddresses(list []Address) ([]*message.Address, error) {
	groups, err := DecodeAddressGroups(list)
	var out []*message.Address
	for _, g := range groups {
		out = append(out, g.Members...)
	}
	return out, err
}

// DecodeAddressGroups is DecodeAddresses keeping the groups (RFC 5322
// section 3.4), as message.ParseAddressGroups does: a lone mailbox is a
// Group with an empty Name and one member. A group the server left open
// ends with the list.
func DecodeAddressGroups(list []Address) ([]message.Group, error) {
	var (
		out      []message.Group
		firstErr error
		inGroup  bool
	)
	decode := func(s string) string {
		d, err := message.DecodeText(s)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return d
	}
	for _, a := range list {
		switch {
		case a.IsGroupStart():
			out = append(out, message.Group{Name: decode(a.Mailbox)})
			inGroup = true
		case a.IsGroupEnd():
			inGroup = false
		case inGroup:
			g := &out[len(out)-1]
			g.Members = append(g.Members, decodeAddress(a, decode))
		default:
			out = append(out, message.Group{Members: []*message.Address{decodeAddress(a, decode)}})
		}
	}
	return out, firstErr
}

// missingHosts are the domains servers give a mailbox written without
// one, so that it cannot pass for a group marker: Dovecot's (and ours,
// message.MissingDomain) and the c-client library's.
var missingHosts = map[string]bool{message.MissingDomain: true, ".MISSING-HOST-NAME.": true}

// decodeAddress converts one mailbox of an envelope. The address goes
// through message.ParseAddress with its local part quoted, so that Addr
// is quoted where RFC 5322 section 3.4.1 needs it, exactly as the
// message package writes it; a host it cannot parse is kept as sent.
func decodeAddress(a Address, decode func(string) string) *message.Address {
	if a.Mailbox == message.MissingMailbox && missingHosts[a.Host] {
		return &message.Address{Name: decode(a.Name)} // a null path with a name: "MAILER DAEMON <>"
	}
	spec := `"` + localEscaper.Replace(a.Mailbox) + `"`
	raw := a.Mailbox
	if !missingHosts[a.Host] {
		spec += "@" + a.Host
		raw += "@" + a.Host
	}
	addr := raw
	if p, err := message.ParseAddress("<" + spec + ">"); err == nil {
		addr = p.Addr
	}
	return &message.Address{Name: decode(a.Name), Addr: addr}
}

// localEscaper writes quoted-pairs for a quoted-string (RFC 5322 section
// 3.2.4).
var localEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)
