// Package smtp implements SMTP (RFC 5321) and LMTP (RFC 2033): a Server
// that hands each connection to a pluggable Backend, a Client, the shared
// reply type and the session state machine both use.
//
// Extensions, on both sides: PIPELINING (RFC 2920), SIZE (RFC 1870),
// 8BITMIME (RFC 6152), STARTTLS (RFC 3207), AUTH PLAIN and LOGIN plus any
// SASL mechanism a backend brings (RFC 4954, RFC 4616), ENHANCEDSTATUSCODES
// (RFC 2034, RFC 3463), SMTPUTF8 (RFC 6531), CHUNKING and BINARYMIME (RFC
// 3030), DSN parameters (RFC 3461), LIMITS (RFC 9422), and implicit TLS
// (RFC 8314).
//
// # Server
//
// A Server looks like net/http's: set fields (limits have safe defaults),
// call ListenAndServe or Serve, stop with Shutdown or Close. The Backend
// opens a Session per connection; the Session sees MAIL, RCPT and the
// message as an io.Reader, and returns nil to accept or a *Reply to refuse
// with exactly that reply:
//
//	srv := &smtp.Server{Addr: "127.0.0.1:2525", Domain: "mx.example.org", Backend: backend}
//	log.Fatal(srv.ListenAndServe())
//
// The server answers 250 to a message only after Session.Data returned nil.
// Data is streamed: memory per connection is bounded whatever the message
// size. Only CRLF "." CRLF ends a message; by default a bare CR or LF in the
// data refuses it (the "SMTP smuggling" defence).
//
// # Trace fields
//
// A server that accepts a message prepends a Received field and the one
// making final delivery a Return-Path (RFC 5321 section 4.4): TraceOf
// fills a Trace from the connection, Received and ReturnPath write the
// fields. The queue (smtp/queue) and the delivery agent (smtp/mda) use
// them.
//
// # Client
//
// A Client speaks to any SMTP or LMTP server; every call takes a
// context.Context and a refused command returns the server's *Reply, which
// errors.As finds. SendMail does a whole delivery in one call.
//
// # State machine
//
// The RFC 5321 4.1.4 command-order table drives both sides: Allowed is
// what the server enforces (503 5.5.1 for a command out of sequence) and
// the client obeys (it refuses to send one); Transition gives the state
// after a command from its Outcome, so neither side sets a state by hand.
package smtp
