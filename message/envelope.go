package message

import "strings"

// An Envelope holds what IMAP's ENVELOPE reports of a message (RFC 3501
// section 7.4.2): header values as written, unfolded, with encoded words
// left for the client to decode, and addresses split into parts.
//
// Subject and each address's Name have their runs of white space (folding,
// TABs) made one space and are trimmed, as Dovecot writes them for people
// to read.
type Envelope struct {
	Date, Subject                      string
	From, Sender, ReplyTo, To, Cc, Bcc []EnvelopeAddress
	InReplyTo, MessageID               string
	// Present tells a field that the header has but leaves empty from
	// one it lacks: ENVELOPE writes the first as "" and the second as NIL
	// (RFC 3501 section 7.4.2 has NIL for absent fields), as Dovecot does.
	Present EnvelopePresence
}

// EnvelopePresence records which of an envelope's string fields the
// header has, however empty.
type EnvelopePresence struct {
	Date, Subject, InReplyTo, MessageID bool
}

// An EnvelopeAddress is one address structure of an IMAP envelope (RFC 3501
// section 7.4.2): display name (encoded words kept), obsolete source route,
// local part (unquoted) and domain.
//
// Groups are marked as RFC 3501 says: an address with an empty Host and the
// group name as Mailbox starts a group, one with every field empty ends it.
// A mailbox written without a domain gets the Host "MISSING_DOMAIN", and
// one without a local part (the null path "<>", a name alone such as
// "John Smith") the Mailbox "MISSING_MAILBOX" too, as Dovecot writes
// them, so that neither can be taken for a group marker. A bare addr-spec followed by a comment
// ("jdoe@example.org (John Doe)") has the comment as its Name, as
// Dovecot and older mail readers take it.
type EnvelopeAddress struct {
	Name, Route, Mailbox, Host string
}

// IsGroupStart reports whether a starts a group.
func (a EnvelopeAddress) IsGroupStart() bool { return a.Host == "" && a.Mailbox != "" }

// IsGroupEnd reports whether a ends a group.
func (a EnvelopeAddress) IsGroupEnd() bool { return a == EnvelopeAddress{} }

// MissingDomain and MissingMailbox stand in an EnvelopeAddress for the
// domain, or the local part, of a mailbox written without one.
const (
	MissingDomain  = "MISSING_DOMAIN"
	MissingMailbox = "MISSING_MAILBOX"
)

// NewEnvelope builds the envelope of a message from its header. Sender and
// Reply-To default to From when they are absent or empty (RFC 3501 section
// 7.4.2). Unparseable addresses are left out.
func NewEnvelope(h *Header) *Envelope {
	e := &Envelope{
		Date:      h.Get("Date"),
		Subject:   collapseSpace(h.Get("Subject")),
		From:      envelopeAddresses(h.Get("From")),
		Sender:    envelopeAddresses(h.Get("Sender")),
		ReplyTo:   envelopeAddresses(h.Get("Reply-To")),
		To:        envelopeAddresses(h.Get("To")),
		Cc:        envelopeAddresses(h.Get("Cc")),
		Bcc:       envelopeAddresses(h.Get("Bcc")),
		InReplyTo: h.Get("In-Reply-To"),
		MessageID: h.Get("Message-ID"),
	}
	e.Present = EnvelopePresence{
		Date:      h.Has("Date"),
		Subject:   h.Has("Subject"),
		InReplyTo: h.Has("In-Reply-To"),
		MessageID: h.Has("Message-ID"),
	}
	if len(e.Sender) == 0 {
		e.Sender = e.From
	}
	if len(e.ReplyTo) == 0 {
		e.ReplyTo = e.From
	}
	return e
}

func envelopeAddresses(v string) []EnvelopeAddress {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	p := addrParser{s: v, raw: true}
	entries, _ := p.list()
	var out []EnvelopeAddress
	for _, e := range entries {
		if e.group != "" {
			out = append(out, EnvelopeAddress{Mailbox: e.group})
		}
		for _, m := range e.members {
			a := EnvelopeAddress{Name: m.name, Route: m.route, Mailbox: m.local, Host: m.domain}
			if a.Name == "" {
				a.Name = m.comment
			}
			a.Name = collapseSpace(a.Name)
			if m.null {
				a.Mailbox = MissingMailbox
			}
			if a.Host == "" {
				a.Host = MissingDomain
			}
			out = append(out, a)
		}
		if e.group != "" {
			out = append(out, EnvelopeAddress{})
		}
	}
	return out
}

// collapseSpace makes each run of spaces, TABs and line ends in s one
// space and trims s, as Dovecot writes ENVELOPE text meant for people
// (its imap_append_string_for_humans).
func collapseSpace(s string) string {
	if !strings.ContainsAny(s, "\t\r\n") && !strings.Contains(s, "  ") && strings.TrimSpace(s) == s {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n'
	}), " ")
}
