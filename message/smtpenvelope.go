package message

import (
	"errors"
	"fmt"
	"strings"
)

// An SMTPEnvelope is what an SMTP client sends ahead of a message (RFC 5321
// section 2.3.1): the reverse-path of MAIL FROM and the forward-paths of
// RCPT TO, as addr-specs without angle brackets, ready for
// smtp.Client.Send. It is not part of the message; IMAP's summary of the
// header, also called an envelope, is Envelope.
type SMTPEnvelope struct {
	// MailFrom is the reverse-path, where delivery failures are reported;
	// "" for the null reverse-path "<>" (RFC 5321 section 4.5.5).
	MailFrom string
	// RcptTo lists every recipient once, in the order of the To, Cc and
	// Bcc fields.
	RcptTo []string
}

// ErrNoEnvelope is matched (errors.Is) by the errors of NewSMTPEnvelope
// and Builder.Envelope: the header does not name a sender or a recipient
// an SMTP client could use.
var ErrNoEnvelope = errors.New("message: no SMTP envelope")

// NewSMTPEnvelope derives the SMTP envelope of a message to be sent from
// its header. The reverse-path is the Sender when there is one, the agent
// responsible for the transmission, and otherwise the single From mailbox
// (RFC 5322 section 3.6.2; several From mailboxes without a Sender are an
// error, since that section then requires one). The recipients are the
// mailboxes of every To, Cc and Bcc field (section 3.6.3), group members
// included, each once: two addresses are the same when their local parts
// are equal and their domains are equal ignoring case, since only the
// local part is case sensitive (RFC 5321 section 2.4). Resent- fields
// (section 3.6.6) are not consulted: set the envelope yourself to resend.
func NewSMTPEnvelope(h *Header) (SMTPEnvelope, error) {
	from, err := reversePath(h)
	if err != nil {
		return SMTPEnvelope{}, err
	}
	to, err := forwardPaths(h)
	if err != nil {
		return SMTPEnvelope{}, err
	}
	return SMTPEnvelope{MailFrom: from, RcptTo: to}, nil
}

// Envelope returns the SMTP envelope of the message: the reverse-path is
// MailFrom when set and otherwise that of NewSMTPEnvelope, the recipients
// those of NewSMTPEnvelope, Bcc included although the Builder never writes
// it in the message.
func (b *Builder) Envelope() (SMTPEnvelope, error) {
	var env SMTPEnvelope
	var err error
	switch b.MailFrom {
	case "":
		env.MailFrom, err = reversePath(&b.Header)
	case "<>":
	default:
		env.MailFrom, err = parsePath("MailFrom", b.MailFrom)
	}
	if err != nil {
		return SMTPEnvelope{}, err
	}
	if env.RcptTo, err = forwardPaths(&b.Header); err != nil {
		return SMTPEnvelope{}, err
	}
	return env, nil
}

func reversePath(h *Header) (string, error) {
	key := "From"
	if h.Has("Sender") {
		key = "Sender"
	}
	list, err := h.AddressList(key)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrNoEnvelope, key, err)
	}
	switch {
	case len(list) == 0:
		return "", fmt.Errorf("%w: no %s mailbox", ErrNoEnvelope, key)
	case len(list) > 1 && key == "From":
		return "", fmt.Errorf("%w: %d From mailboxes and no Sender (RFC 5322 section 3.6.2)", ErrNoEnvelope, len(list))
	case len(list) > 1:
		return "", fmt.Errorf("%w: %d Sender mailboxes", ErrNoEnvelope, len(list))
	}
	return mailboxPath(key, list[0])
}

// parsePath parses an address given as "addr@example.org" or
// "<addr@example.org>".
func parsePath(what, s string) (string, error) {
	a, err := ParseAddress(s)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrNoEnvelope, what, err)
	}
	return mailboxPath(what, a)
}

// mailboxPath returns the addr-spec of a for a path: RFC 5321 section
// 4.1.2 requires a local part and a domain.
func mailboxPath(what string, a *Address) (string, error) {
	local, domain := splitAddr(a.Addr)
	if local == "" || domain == "" {
		return "", fmt.Errorf("%w: %s: %q is not local-part@domain", ErrNoEnvelope, what, a.Addr)
	}
	return a.Addr, nil
}

// forwardPaths returns the recipients of To, Cc and Bcc, each once.
func forwardPaths(h *Header) ([]string, error) {
	var to []string
	seen := make(map[string]bool)
	for _, key := range []string{"To", "Cc", "Bcc"} {
		for _, v := range h.Values(key) {
			if strings.TrimSpace(v) == "" {
				continue // "Bcc:" alone (RFC 5322 section 3.6.3)
			}
			list, err := ParseAddressList(h.fallbackDecode(v))
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrNoEnvelope, key, err)
			}
			for _, a := range list {
				path, err := mailboxPath(key, a)
				if err != nil {
					return nil, err
				}
				local, domain := splitAddr(path)
				if k := local + "@" + strings.ToLower(domain); !seen[k] {
					seen[k] = true
					to = append(to, path)
				}
			}
		}
	}
	if len(to) == 0 {
		return nil, fmt.Errorf("%w: no recipient in To, Cc or Bcc", ErrNoEnvelope)
	}
	return to, nil
}
