package smtp

import (
	"net"
	"strings"
	"time"
)

// Trace is what a Received field records about one hop (RFC 5321 section
// 4.4): each MTA that accepts a message prepends one, so that the path of
// a message and the loops it may run in can be read from its header. The
// queue (smtp/queue) and the delivery agent (smtp/mda) both build theirs
// with it.
type Trace struct {
	// Helo is the name the client gave in EHLO or HELO; "" is written as
	// "unknown".
	Helo string
	// Remote is the client's address, written as the TCP-info of the
	// Extended-Domain clause (RFC 5321 section 4.4) when it is a TCP
	// address: an address literal of section 4.1.3, "IPv6:" for IPv6.
	Remote net.Addr
	// By is this server's host name.
	By string
	// Software, if set, follows By as a comment naming the program, as in
	// "by mx.example.org (mailwire)" (a CFWS of RFC 5321 section 4.4).
	Software string
	// With is the protocol (RFC 3848): SMTP or ESMTP, with S after
	// STARTTLS and A after AUTH, or LMTP.
	With string
	// ID is the queue ID, to find the message in logs; "" omits the
	// clause.
	ID string
	// For is the recipient; "" omits the clause. RFC 5321 section 4.4
	// allows exactly one path there, and section 7.6 warns that naming
	// one of several recipients may reveal a Bcc to the others: set it
	// only for a message with one recipient, or for a copy that only
	// that recipient will read.
	For string
	// Date is when the message was received.
	Date time.Time
}

// TraceOf fills the parts of a Trace that the connection knows: the HELO
// name, the client's address and the protocol (Conn.Protocol).
func TraceOf(c *Conn) Trace {
	return Trace{Helo: c.Hostname(), Remote: c.RemoteAddr(), With: c.Protocol()}
}

// Received returns the Received header field with its CRLF, in the
// grammar of RFC 5321 section 4.4 (the Time-stamp-line):
//
//	Received: from HELO ([IP])
//		by BY (SOFTWARE) with WITH id ID
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
	if t.Software != "" {
		b.WriteString(" (" + t.Software + ")")
	}
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

// ReturnPath returns the Return-Path header field, with its CRLF, that
// the server making final delivery inserts (RFC 5321 section 4.4, the
// Return-path-line): from is the reverse path of MAIL FROM, "" for the
// null path <>.
func ReturnPath(from string) string {
	return "Return-Path: <" + from + ">\r\n"
}
