package smtp

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestTrace_RFC5321_4_4_Received checks the Time-stamp-line byte for
// byte: the TCP-info address literal (section 4.1.3, "IPv6:" for IPv6,
// none without a TCP address), "unknown" for a client that gave no
// HELO, the software comment, "with" (RFC 3848), "id" and "for" each
// only when set.
func TestTrace_RFC5321_4_4_Received(t *testing.T) {
	date := time.Date(2024, 5, 1, 12, 0, 0, 0, time.FixedZone("", 2*3600))
	v4 := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 25}
	for _, tc := range []struct {
		name string
		tr   Trace
		want string
	}{
		{"all clauses, IPv4",
			Trace{Helo: "c.example", Remote: v4, By: "mx.example", Software: "mailwire", With: "ESMTPSA", ID: "AB12", For: "bob@mx.example", Date: date},
			"Received: from c.example ([192.0.2.1])\r\n\tby mx.example (mailwire) with ESMTPSA id AB12\r\n\tfor <bob@mx.example>; Wed, 01 May 2024 12:00:00 +0200\r\n"},
		{"IPv6 literal, no HELO",
			Trace{Remote: &net.TCPAddr{IP: net.IPv6loopback}, By: "mx.example", With: "ESMTP", Date: date},
			"Received: from unknown ([IPv6:::1])\r\n\tby mx.example with ESMTP; Wed, 01 May 2024 12:00:00 +0200\r\n"},
		{"IPv4-mapped IPv6 is IPv4",
			Trace{Helo: "c.example", Remote: &net.TCPAddr{IP: net.ParseIP("::ffff:192.0.2.7")}, By: "mx.example", Date: date},
			"Received: from c.example ([192.0.2.7])\r\n\tby mx.example; Wed, 01 May 2024 12:00:00 +0200\r\n"},
		{"no TCP address, no TCP-info",
			Trace{Helo: "c.example", Remote: &net.UnixAddr{Name: "/run/smtp", Net: "unix"}, By: "mx.example", With: "LMTP", ID: "X", Date: date},
			"Received: from c.example\r\n\tby mx.example with LMTP id X; Wed, 01 May 2024 12:00:00 +0200\r\n"},
		{"for without id",
			Trace{Helo: "c.example", By: "mx.example", With: "SMTP", For: "a@mx.example", Date: date.UTC()},
			"Received: from c.example\r\n\tby mx.example with SMTP\r\n\tfor <a@mx.example>; Wed, 01 May 2024 10:00:00 +0000\r\n"},
	} {
		require.Equal(t, tc.want, tc.tr.Received(), tc.name)
	}
}

// TestReturnPath_RFC5321_4_4: the Return-path-line carries the reverse
// path in angle brackets, <> for the null path.
func TestReturnPath_RFC5321_4_4(t *testing.T) {
	for _, tc := range []struct{ from, want string }{
		{"carol@example.org", "Return-Path: <carol@example.org>\r\n"},
		{"", "Return-Path: <>\r\n"},
	} {
		require.Equal(t, tc.want, ReturnPath(tc.from), tc.from)
	}
}
