package imap

import (
	"time"

	"github.com/mailwire/mailwire/message"
)

// The Envelope keeps what the server sent, byte for byte; these methods
// decode it the way the message package decodes the same header fields,
// so that a client lists messages without parsing them again.

// DecodedSubject returns the Subject with its encoded words decoded (RFC
// 2047 section 6) as message.DecodeText does: an unknown charset leaves
// its word as it is and returns a *message.CharsetError along with the
// rest decoded; a malformed word is kept as it is.
func (e *Envelope) DecodedSubject() (string, error) { return message.DecodeText(e.Subject) }

// ParsedDate returns the Date field as a time (RFC 5322 section 3.3, the
// obsolete forms of section 4.3 included), as message.ParseDate does. An
// envelope without a date (NIL) returns an error.
func (e *Envelope) ParsedDate() (time.Time, error) { return message.ParseDate(e.Date) }

// Decoded returns the address as the message package represents one: the
// display name with its encoded words decoded (RFC 2047 section 5 (3)) and
// the addr-spec "mailbox@host" (RFC 3501 section 7.4.2). The error is that
// of the name's decoding, which still returns the rest decoded.
func (a Address) Decoded() (*message.Address, error) {
	name, err := message.DecodeText(a.Name)
	return &message.Address{Name: name, Addr: a.Addr()}, err
}

// DecodeAddresses returns the mailboxes of an envelope address list (such
// as Envelope.From or Envelope.To) in order, the members of groups
// included and the group markers left out, as message.ParseAddressList
// gives them from the header field. On a name that does not decode it
// goes on and returns the first error.
func DecodeAddresses(list []Address) ([]*message.Address, error) {
	var (
		out      []*message.Address
		firstErr error
	)
	for _, a := range list {
		if a.IsGroupStart() || a.IsGroupEnd() {
			continue
		}
		m, err := a.Decoded()
		if err != nil && firstErr == nil {
			firstErr = err
		}
		out = append(out, m)
	}
	return out, firstErr
}
