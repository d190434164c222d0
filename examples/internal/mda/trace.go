package mda

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"strings"
	"time"
)

// trace holds what the trace headers of one delivered copy record.
type trace struct {
	from   string // reverse path, "" for <>
	helo   string // name the client gave in EHLO/HELO
	remote net.Addr
	by     string // this server's name
	with   string // protocol, RFC 3848
	id     string
	rcpt   string
	date   time.Time
}

// header returns the Return-Path the delivering server adds (RFC 5321
// section 4.4: "the final delivery ... MUST insert a return-path line")
// and the Received time-stamp line:
//
//	Received: from HELO ([IP]) by DOMAIN with PROTOCOL id ID
//	 for <RCPT>; DATE
//
// with the TCP-info of RFC 5321 section 4.4's Extended-Domain and the
// "for" clause naming the one recipient of this copy.
func (t *trace) header() string {
	var b strings.Builder
	b.WriteString("Return-Path: <" + t.from + ">\r\n")
	helo := t.helo
	if helo == "" {
		helo = "unknown"
	}
	b.WriteString("Received: from " + helo)
	if ip := addrIP(t.remote); ip != "" {
		b.WriteString(" ([" + ip + "])")
	}
	b.WriteString("\r\n\tby " + t.by + " (mailwire) with " + t.with + " id " + t.id)
	b.WriteString("\r\n\tfor <" + t.rcpt + ">; " + t.date.Format(time.RFC1123Z) + "\r\n")
	return b.String()
}

// addrIP is the address literal of the client (RFC 5321 section 4.1.3):
// an IPv6 address is written "IPv6:...".
func addrIP(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return ""
	}
	if tcp.IP.To4() != nil {
		return tcp.IP.String()
	}
	return "IPv6:" + tcp.IP.String()
}

// newID is the queue id the Received line carries, unique enough to find
// one message in logs.
func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}
