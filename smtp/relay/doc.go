// Package relay drains a queue.Queue: it sends each queued message on to
// the mail exchangers of its recipients' domains over SMTP, retries what
// was deferred, and tells the sender what became of the message with
// delivery status notifications.
//
// For each domain the relay finds the hosts to try as RFC 5321 section 5.1
// says: a static route (Routes: a smart host, or a test server) wins;
// otherwise the MX records by preference, equal preferences in random
// order; without MX records the domain's own addresses (the implicit MX);
// a single MX of "." is a null MX, a domain that accepts no mail (RFC 7505
// section 3), and fails the recipients at once with 556 5.1.10. Lookups
// go through a Resolver, a *net.Resolver by default.
//
// Recipients of one message and domain travel in one transaction, and
// the transactions due for one destination share a connection (RFC 5321
// section 4.5.4.1 asks senders to reuse it). STARTTLS (RFC 3207) is used
// whenever the server offers it, or required, as TLS says; PIPELINING
// (RFC 2920) and SIZE (RFC 1870) come from smtp.Client, and the DSN
// parameters (RFC 3461 section 4) are passed on when the next hop
// supports them.
//
// Each recipient's outcome is its reply: 2yz delivered, 5yz failed, 4yz
// or an unreachable host deferred and tried again after an exponential
// backoff (RFC 5321 section 4.5.4.1) until MaxAge, after which it fails
// (RFC 5321 section 4.5.4.1 suggests giving up after 4-5 days; Postfix's
// maximal_queue_lifetime is 5 days).
//
// Failures are reported to the sender, and delays and successes when the
// recipient's NOTIFY asked for them (RFC 3461 section 4.1), with a
// multipart/report message (RFC 3464, RFC 6522) that is itself queued
// with the null reverse path, so that it can never cause another report
// (RFC 5321 section 6.2). NOTIFY=NEVER and a null sender get none.
//
//	r := &relay.Relay{Queue: q, Hostname: "mx.example.org"}
//	go r.Run(ctx)
package relay
