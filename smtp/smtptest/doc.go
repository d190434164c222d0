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
//
// # One shape in smtptest, pop3test and imaptest
//
// The three test servers share their names; X stands for smtp, pop3 or
// imap, and "-" marks what a protocol has no use for:
//
//	Start(opts...) (*Server, error)  starts on 127.0.0.1:0; the caller Closes it (Examples)
//	NewServer(t, opts...) *Server    Start, t.Fatal on error, Close on t.Cleanup
//	Server.Addr, Server.Close()      "127.0.0.1:port"; Close may be called twice
//	Option                           func(*config), the same in the three
//	WithUser(name, password, msgs...) a user; msgs preload POP3 maildrop / IMAP INBOX;
//	                                 SMTP takes no msgs and requires AUTH before MAIL
//	WithTLS()                        STARTTLS (RFC 3207) / STLS (RFC 2595) / STARTTLS (RFC 3501)
//	WithImplicitTLS()                TLS from the first octet (RFC 8314 3.3)
//	WithInsecureAuth()               AUTH, USER/PASS, LOGIN over cleartext; off by default
//	WithServer(func(*X.Server))      raw configuration: limits, timeouts, Debug, hooks
//	FailCommand(verb, reply)         answer every such command with reply; nil ends it
//	DropOn(verb)                     close without a reply at the next such command
//	WaitMessages(ctx, n)             wait until at least n messages were delivered in
//	                                 total, woken by each delivery (SMTP also returns them)
//	Deliver(user, [mailbox,] msg)    - / Deliver(user, msg) / Deliver(user, mailbox, msg)
//	OnMessage(func(Message))         SMTP only: feed each accepted message to Deliver
//	Reset()                          forget messages and faults, keep users
//	CertificatePEM(), ClientTLSConfig() the run-time certificate, and a client config
//	                                 that trusts it; nil without TLS
//
// The verb is an smtp.Verb, a pop3.Verb or an IMAP command name ("UID
// FETCH"); the reply a *smtp.Reply, *pop3.Response or *imap.StatusResponse.
package smtptest
