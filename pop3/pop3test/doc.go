// Package pop3test starts a real POP3 (RFC 1939) server on 127.0.0.1 for
// tests, in the shape of net/http/httptest: NewServer starts a pop3.Server
// over an in-memory store (pop3mem) with a port of its own, its address is
// the Addr field, and it stops when the test ends.
//
// Users and their messages are preloaded by options; a user logs in with
// the password (USER/PASS, APOP, SASL PLAIN and LOGIN) or with SCRAM
// (RFC 5802, RFC 7677; -PLUS after STLS), which the store's verifiers of
// the password serve. Deliver drops mail
// in while the server runs (an smtptest OnMessage hook can call it, so
// SMTP in and POP3 out share one store) and wakes WaitMessages. The
// server records the messages deleted in the UPDATE state (RFC 1939
// section 6), tells when every session has ended (WaitIdle), and injects
// faults: a command answered with a chosen -ERR, a connection dropped, an
// UPDATE that fails.
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
package pop3test
