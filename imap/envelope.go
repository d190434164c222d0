package imap

import "github.com/mailwire/mailwire/imap/internal/wire"

// Envelope is the ENVELOPE fetch item (RFC 3501 section 7.4.2): the
// header fields a client lists messages by, as the server parsed them.
// Strings are raw header values: encoded words (RFC 2047) are not decoded
// here, so nothing is lost; DecodedSubject, ParsedDate and the Addresses
// methods (FromAddresses and the rest) decode them as the message package
// decodes the header.
type Envelope struct {
	Date      string
	Subject   string
	From      []Address
	Sender    []Address
	ReplyTo   []Address
	To        []Address
	Cc        []Address
	Bcc       []Address
	InReplyTo string
	MessageID string
}

// Address is one address of an envelope (RFC 3501 section 7.4.2). Group
// syntax (RFC 5322 section 3.4) appears in the list as a start marker
// (Host empty, Mailbox the group name) and an end marker (Mailbox and Host
// empty).
type Address struct {
	Name    string // display name (addr-name)
	ADL     string // source route (addr-adl), obsolete
	Mailbox string // local part (addr-mailbox)
	Host    string // domain (addr-host)
}

// Addr returns "mailbox@host".
func (a Address) Addr() string {
	if a.Host == "" {
		return a.Mailbox
	}
	return a.Mailbox + "@" + a.Host
}

// IsGroupStart reports whether a opens a group.
func (a Address) IsGroupStart() bool { return a.Host == "" && a.Mailbox != "" }

// IsGroupEnd reports whether a closes a group.
func (a Address) IsGroupEnd() bool { return a.Host == "" && a.Mailbox == "" }

// readEnvelope reads envelope (RFC 3501 section 9):
// "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP
// env-to SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")".
func readEnvelope(r *wire.Reader) (*Envelope, error) {
	env := new(Envelope)
	i := 0
	err := r.List(func() error {
		var err error
		switch i {
		case 0:
			env.Date, _, err = r.NString()
		case 1:
			env.Subject, _, err = r.NString()
		case 2:
			env.From, err = readAddressList(r)
		case 3:
			env.Sender, err = readAddressList(r)
		case 4:
			env.ReplyTo, err = readAddressList(r)
		case 5:
			env.To, err = readAddressList(r)
		case 6:
			env.Cc, err = readAddressList(r)
		case 7:
			env.Bcc, err = readAddressList(r)
		case 8:
			env.InReplyTo, _, err = r.NString()
		case 9:
			env.MessageID, _, err = r.NString()
		default:
			err = &wire.SyntaxError{Msg: "too many envelope fields"}
		}
		i++
		return err
	})
	if err == nil && i != 10 {
		err = &wire.SyntaxError{Msg: "too few envelope fields"}
	}
	return env, err
}

// readAddressList reads "(" 1*address ")" / nil. Some servers separate
// the addresses with spaces, which the grammar does not allow; accept
// both.
func readAddressList(r *wire.Reader) ([]Address, error) {
	if r.NIL() {
		return nil, nil
	}
	var list []Address
	err := r.ListNoSP(func() error {
		r.Accept(' ')
		a, err := readAddress(r)
		list = append(list, a)
		return err
	})
	return list, err
}

// readAddress reads "(" addr-name SP addr-adl SP addr-mailbox SP
// addr-host ")".
func readAddress(r *wire.Reader) (Address, error) {
	var a Address
	fields := [4]*string{&a.Name, &a.ADL, &a.Mailbox, &a.Host}
	i := 0
	err := r.List(func() error {
		if i >= len(fields) {
			return &wire.SyntaxError{Msg: "too many address fields"}
		}
		var err error
		*fields[i], _, err = r.NString()
		i++
		return err
	})
	if err == nil && i != 4 {
		err = &wire.SyntaxError{Msg: "too few address fields"}
	}
	return a, err
}
