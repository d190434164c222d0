package netserver

import "time"

// The defaults that the SMTP, POP3 and IMAP servers give the same value,
// explained here once. Each protocol package exports them again under the
// same names (smtp.DefaultAuthFailureDelay = DefaultAuthFailureDelay),
// with a line that names its protocol's reply and RFC; a limit the
// protocols set apart (a line length, a timeout the RFC fixes) is a
// constant of the protocol package alone.
const (
	// DefaultMaxAuthFailures is how many failed logins one session may
	// make before the server says the protocol's goodbye and closes it;
	// 3, as Dovecot's login processes allow, since a client that guesses
	// passwords gains nothing from a long session (RFC 4954 section 14,
	// RFC 9051 section 11.7).
	DefaultMaxAuthFailures = 3

	// DefaultMaxConnections is the most sessions served at once; one more
	// is refused at accept with the protocol's "try again later". Where a
	// login phase exists a full server first makes room by closing, with
	// the same reply, the oldest session that has not logged in and waits
	// for a command (Group's eviction).
	DefaultMaxConnections = 1000

	// DefaultMaxConnectionsPerAddr is the most sessions one client (its IP
	// address; IPv6 by /64, see AddrKey) may hold at once; one more gets
	// the reply of a full server. 50 is Postfix's
	// smtpd_client_connection_count_limit, five times Dovecot's
	// mail_max_userip_connections of 10 per user: room for a relay or a
	// NAT full of mail clients, while one client cannot take more than a
	// twentieth of DefaultMaxConnections.
	DefaultMaxConnectionsPerAddr = 50

	// DefaultWriteTimeout bounds each write to the client, so that one
	// that stops reading cannot hold a session. The RFCs set the
	// client's timeouts and none for the server's writes.
	DefaultWriteTimeout = 2 * time.Minute

	// DefaultTLSHandshakeTimeout bounds the TLS handshake of STARTTLS or
	// STLS and of implicit TLS (RFC 8314 section 3).
	DefaultTLSHandshakeTimeout = 30 * time.Second

	// DefaultAuthFailureDelay is how long the answer to a client's first
	// failed login waits (Dovecot's auth_failure_delay; Postfix sleeps
	// after an error too). Each further failure of the same client, on
	// any of its connections, doubles it, and one client's failures are
	// answered one after the other, so that it gets at most one answer
	// per delay however many connections it opens (FailureDelay; RFC
	// 4954 section 9, RFC 9051 section 11.7: "a server SHOULD have
	// mechanisms in place to limit or delay failed AUTHENTICATE/LOGIN
	// attempts").
	DefaultAuthFailureDelay = 2 * time.Second

	// DefaultMaxAuthFailureDelay caps the doubling, as Dovecot's
	// authentication penalty stops at 15 seconds.
	DefaultMaxAuthFailureDelay = 15 * time.Second

	// DefaultAuthFailureReset is how long a client must go without a
	// failed login, from its last answer, before its delay starts over;
	// a successful login starts it over too.
	DefaultAuthFailureReset = 10 * time.Minute

	// DefaultMaxAuthFailureAddrs is how many clients' failures are
	// remembered (about 240 bytes each, 4 MB in all); beyond it the
	// client whose last failure is oldest is forgotten.
	DefaultMaxAuthFailureAddrs = 16384

	// DefaultMaxAuthLineLength is the longest SASL response line a
	// client sends after the server's challenge, line end included. RFC
	// 4954 section 4 asks SMTP servers for at least 12288 octets; POP3
	// (RFC 5034 section 4) and IMAP (RFC 3501 section 6.2.2) leave it
	// open, and SCRAM with long names, PLAIN with long credentials and
	// OAUTHBEARER or XOAUTH2 tokens need a few kilobytes.
	DefaultMaxAuthLineLength = 12288
)

// shared are the defaults above as Limits, for Resolve.
var shared = Limits{
	MaxAuthLineLength:     DefaultMaxAuthLineLength,
	MaxAuthFailures:       DefaultMaxAuthFailures,
	MaxConnections:        DefaultMaxConnections,
	MaxConnectionsPerAddr: DefaultMaxConnectionsPerAddr,
	WriteTimeout:          DefaultWriteTimeout,
	TLSHandshakeTimeout:   DefaultTLSHandshakeTimeout,
	AuthFailureDelay:      DefaultAuthFailureDelay,
	MaxAuthFailureDelay:   DefaultMaxAuthFailureDelay,
	AuthFailureReset:      DefaultAuthFailureReset,
	MaxAuthFailureAddrs:   DefaultMaxAuthFailureAddrs,
}
