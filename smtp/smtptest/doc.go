// Package smtptest runs a real SMTP (RFC 5321) or LMTP (RFC 2033) server
// for tests, in the shape of net/http/httptest: NewServer starts an
// smtp.Server on 127.0.0.1 with a port of its own, its address is the Addr
// field, and it stops when the test ends.
//
// The server records every message it accepts — envelope, ESMTP
// parameters, the exact octets, the client's name, authenticated identity
// and TLS state — and a test waits for them with WaitMessages, which is
// woken by each delivery rather than by polling. Options make it require
// AUTH (RFC 4954), offer STARTTLS (RFC 3207) or implicit TLS (RFC 8314)
// with a certificate made at run time, speak LMTP, and inject the faults a
// mail client must survive: a refused sender or recipient, failed
// deliveries, slow replies and dropped connections. OnMessage hands each
// message to a function, so that mail received over SMTP can feed the
// store of an IMAP or POP3 test server.
package smtptest
