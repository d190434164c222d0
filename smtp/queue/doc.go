// Package queue is the durable mail queue of an MTA: the place where a
// message waits between the moment an SMTP server accepted it and the
// moment every recipient was delivered to or given up on.
//
// RFC 5321 section 6.1 makes the 250 reply to a message a promise: "the
// receiver-SMTP MUST NOT lose the message for frivolous reasons", and
// that includes a crash. Queue.Enqueue therefore returns only once the
// message and its envelope are on stable storage, and Backend, an
// smtp.Backend, calls it from Session.Data, so that the smtp.Server sends
// its 250 after the fsync and not before.
//
// Each queued message is one Entry: the envelope (reverse path, MAIL
// parameters, and for each recipient its RCPT parameters and its delivery
// state: pending, delivered, failed or deferred, with the last reply, the
// number of attempts and the time of the next one), and the message
// octets, kept apart so that the envelope can be rewritten cheaply after
// every attempt. Storage is pluggable (Store); Spool, the default, keeps a
// folder on disk in which every change is an atomic rename, so that after
// a restart or a SIGKILL the queue is exactly what it was after the last
// completed change: nothing is lost and nothing delivered is sent again.
//
// The relay package drains a Queue; Backend is where policy plugs in
// (accepting or refusing senders and recipients, rewriting headers,
// signing) and where the Received trace field of RFC 5321 section 4.4 is
// added.
//
//	spool, err := queue.OpenSpool("/var/spool/mailwire")
//	q, err := queue.Open(spool)
//	srv := &smtp.Server{Addr: ":25", Backend: &queue.Backend{Queue: q, Hostname: "mx.example.org"}}
package queue
