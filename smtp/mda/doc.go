// Package mda is a mail delivery agent: an smtp.Backend that accepts mail
// for the local users of one mail domain and stores one copy per distinct
// user, each behind the trace fields the server making final delivery adds
// (RFC 5321 section 4.4): a Return-Path with the reverse path and a
// Received time-stamp line whose "for" clause names the address that
// reached that user.
//
// The message is never held whole in memory: Data streams it once to a
// temporary file in Agent.SpoolDir, then hands each copy to
// Mailboxes.Deliver as a reader over the trace fields and that file, and
// removes the file when the transaction ends, whatever the outcome. The
// heap does not grow with the message: a 50 MB message to two users adds
// a few hundred KiB, client and server together.
//
// The server answers 250 to the message only once every copy is stored.
// Over SMTP there is one reply for all recipients, so a failed copy fails
// the message: the error's *smtp.Reply if Deliver returned one, else 451
// 4.3.0 (RFC 3463), and the client retries, so that the users whose copy
// was already stored may see the message twice, but none loses it. Over
// LMTP (smtp.Server.LMTP, RFC 2033) each recipient gets its own reply
// instead: the Agent reports a failed copy for its addresses alone.
//
//	agent := &mda.Agent{Domain: "example.org", Users: users, Mailboxes: store}
//	srv := &smtp.Server{Addr: ":25", Domain: "mx.example.org", Backend: agent}
//	log.Fatal(srv.ListenAndServe())
//
// Mail for other domains is refused with 550 5.7.1 (no open relay, RFC
// 5321 section 3.6.2); a relaying MTA puts smtp/queue in front instead.
package mda
