package smtptest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"time"

	"github.com/mailwire/mailwire/message"
	"github.com/mailwire/mailwire/smtp"
)

// Message is one message the server accepted, with its envelope (RFC 5321
// 2.3.1) and the facts of the session that sent it.
type Message struct {
	// From is the reverse path of MAIL FROM, "" for the null path <>.
	From string
	// To holds the forward paths of the accepted RCPT TO commands, in
	// order; refused recipients are not included.
	To []string
	// MailOptions are the ESMTP parameters of MAIL FROM (SIZE, BODY,
	// SMTPUTF8, DSN RET and ENVID, AUTH).
	MailOptions smtp.MailOptions
	// RcptOptions are the ESMTP parameters of each RCPT TO, index by
	// index with To (DSN NOTIFY and ORCPT, RFC 3461).
	RcptOptions []smtp.RcptOptions
	// Data is the message exactly as the server handed it on: the DATA
	// stream with its dot-stuffing undone and without the terminating
	// "." line (RFC 5321 4.5.2), or the BDAT chunks joined (RFC 3030).
	Data []byte
	// Hostname is the name the client gave in EHLO, HELO or LHLO.
	Hostname string
	// Identity is the identity the client authenticated as, "" without
	// AUTH.
	Identity string
	// TLS is the TLS state of the session, nil over cleartext.
	TLS *tls.ConnectionState
	// RemoteAddr is the client's address.
	RemoteAddr string
	// Received is when the server accepted the message.
	Received time.Time
}

// Header parses the message's header section (RFC 5322 2.2) with the
// message package, for tests that check a Subject or a Message-ID.
func (m Message) Header() (message.Header, error) {
	return message.ReadHeader(bufio.NewReader(bytes.NewReader(m.Data)))
}

// Body returns the octets after the blank line that ends the header
// section (RFC 5322 2.1), or nil when there is none.
func (m Message) Body() []byte {
	if bytes.HasPrefix(m.Data, []byte("\r\n")) {
		return m.Data[2:]
	}
	if _, body, ok := bytes.Cut(m.Data, []byte("\r\n\r\n")); ok {
		return body
	}
	return nil
}
