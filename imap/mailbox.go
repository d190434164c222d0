package imap

import (
	"strings"

	"github.com/mailwire/mailwire/imap/internal/wire"
	"github.com/mailwire/mailwire/internal/utf7"
)

// Inbox is the one mailbox name that is case-insensitive (RFC 3501
// section 5.1).
const Inbox = "INBOX"

// encodeMailbox turns a UTF-8 mailbox name into its wire form: modified
// UTF-7 (RFC 3501 section 5.1.3) unless UTF8=ACCEPT is enabled (RFC 6855
// section 3), when UTF-8 goes as it is.
func encodeMailbox(name string, utf8 bool) string {
	if strings.EqualFold(name, Inbox) {
		return Inbox
	}
	if utf8 {
		return name
	}
	return utf7.Encode(name)
}

// decodeMailbox turns a wire mailbox name into UTF-8. A name that is not
// valid modified UTF-7 is kept as sent, since servers in the wild send
// such names and a client must still be able to refer to them.
func decodeMailbox(name string, utf8 bool) string {
	if strings.EqualFold(name, Inbox) {
		return Inbox
	}
	if utf8 {
		return name
	}
	if s, err := utf7.Decode(name); err == nil {
		return s
	}
	return name
}

// writeMailbox writes a mailbox name as an astring.
func writeMailbox(w *wire.Writer, name string) {
	w.AString(encodeMailbox(name, w.UTF8))
}
