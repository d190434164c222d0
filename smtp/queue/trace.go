package queue

import (
	"net"
	"strings"
	"time"

	"github.com/mailwire/mailwire/smtp"
)

// Trace is what a Received field records about one hop (RFC 5321 section
// 4.4): each MTA that accepts a message prepends one, so that the path of
// a message and the loops it may run in can be read from its header.
type Trace struct {
	// Helo is the name the client gave in EHLO or HELO.
	Helo string
	// Remote is the client's address, written as the TCP-info of the
	// Extended-Domain clause.
	Remote net.Addr
	// By is this server's host name.
	By string
	// With is the protocol (RFC 3848): SMTP or ESMTP, with S after
	// STARTTLS and A after AUTH.
	With string
	// ID is the queue ID, to find the message in logs.
	ID string
	// For is the recipient, when there is exactly one; naming one of
	// several would reveal Bcc recipients to the others.
	For string
	// Date is when the message was received.
	Date time.Time
}

// TraceOf fills the parts of a Trace that the connection knows.
func TraceOf(c *smtp.Conn) Trace {
	return Trace{Helo: c.Hostname(), Remote: c.RemoteAddr(), With: c.Protocol()}
}

// Received returns the Received header field with its CRLF, in the
// grammar of RFC 5321 section 4.4:
//
//	Received: from HELO ([IP]) by BY with WITH id ID
//		for <FOR>; DATE
func (t Trace) Received() string {
	var b strings.Builder
	helo := t.Helo
	if helo == "" {
		helo = "unknown"
	}
	b.WriteString("Received: from " + helo)
	if tcp, ok := t.Remote.(*net.TCPAddr); ok {
		if tcp.IP.To4() != nil {
			b.WriteString(" ([" + tcp.IP.String() + "])")
		} else {
			b.WriteString(" ([IPv6:" + tcp.IP.String() + "])")
		}
	}
	b.WriteString("\r\n\tby " + t.By)
	if t.With != "" {
		b.WriteString(" with " + t.With)
	}
	if t.ID != "" {
		b.WriteString(" id " + t.ID)
	}
	if t.For != "" {
		b.WriteString("\r\n\tfor <" + t.For + ">")
	}
	b.WriteString("; " + t.Date.Format(time.RFC1123Z) + "\r\n")
	return b.String()
}
