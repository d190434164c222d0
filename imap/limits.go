package imap

import (
	"time"

	"github.com/mailwire/mailwire/internal/netserver"
)

// Defaults for the Server's limits. Each applies when its field is zero;
// set a negative value to remove a limit where the field says so.
const (
	// DefaultMaxLineLength bounds one command as a whole: its text from
	// the tag to the CRLF that ends it, across the lines literals
	// continue it onto, with every literal the server reads into memory
	// (login names, search strings, LIST patterns, header field names,
	// ID values) counted in full. Only APPEND's message literal is left
	// out: MaxLiteralSize bounds it and it streams to the backend. A
	// command over the limit ends the session with BYE; a synchronizing
	// literal that would take it over is refused first with BAD [LIMIT]
	// and the session goes on (RFC 7888 section 4). RFC 7162 section 4
	// asks servers to accept at least 8192 octets; Dovecot's
	// imap_max_line_length, which counts the same way, is 64 KiB.
	DefaultMaxLineLength = 64 << 10
	// DefaultMaxErrors is how many BAD responses (RFC 3501 section
	// 7.1.3) a connection may earn before BYE, so garbage cannot keep a
	// session alive.
	DefaultMaxErrors = 50
	// DefaultMaxAuthFailures (3) is how many failed LOGIN or AUTHENTICATE
	// commands a connection may make before BYE (RFC 9051 section 11.7
	// asks servers to limit failed attempts).
	DefaultMaxAuthFailures = netserver.DefaultMaxAuthFailures
	// DefaultMaxConnections (1000) is the most concurrent sessions; more
	// get "* BYE [UNAVAILABLE]" at once (RFC 5530), once a full server
	// found no session that has not logged in to close with the same BYE.
	DefaultMaxConnections = netserver.DefaultMaxConnections
	// DefaultMaxConnectionsPerAddr (50) is the most concurrent sessions
	// of one client (IPv6: one /64); more get the BYE of a full server.
	DefaultMaxConnectionsPerAddr = netserver.DefaultMaxConnectionsPerAddr
	// DefaultCommandTimeout is the autologout timer: how long an
	// authenticated session may stay silent, IDLE included (RFC 3501
	// section 5.4: at least 30 minutes; RFC 2177 section 3 lets IDLE end
	// then too).
	DefaultCommandTimeout = 30 * time.Minute
	// DefaultLoginTimeout bounds the time from connection to a
	// successful login, however often the client sends, and so how long
	// a session that has not logged in may stay silent too: RFC 9051
	// section 5.4 lets servers shorten the pre-authentication timer
	// against denial of service.
	DefaultLoginTimeout = time.Minute
	// DefaultWriteTimeout (2 minutes) bounds each write to the client; no
	// RFC sets it.
	DefaultWriteTimeout = netserver.DefaultWriteTimeout
	// DefaultTLSHandshakeTimeout (30 seconds) bounds the TLS handshake of
	// STARTTLS (RFC 3501 section 6.2.1) and of implicit TLS (RFC 8314).
	DefaultTLSHandshakeTimeout = netserver.DefaultTLSHandshakeTimeout
	// DefaultAuthFailureDelay (2 seconds) is how long the answer to a
	// client's first failed LOGIN or AUTHENTICATE waits (RFC 9051 section
	// 11.7); each further failure of the client, on any of its
	// connections, doubles it.
	DefaultAuthFailureDelay = netserver.DefaultAuthFailureDelay
	// DefaultMaxAuthFailureDelay (15 seconds) caps the doubling.
	DefaultMaxAuthFailureDelay = netserver.DefaultMaxAuthFailureDelay
	// DefaultAuthFailureReset (10 minutes) is how long a client must go
	// without a failed login before its delay starts over.
	DefaultAuthFailureReset = netserver.DefaultAuthFailureReset
	// DefaultMaxAuthFailureAddrs (16384) is how many clients' failed
	// logins are remembered; beyond it the oldest is forgotten.
	DefaultMaxAuthFailureAddrs = netserver.DefaultMaxAuthFailureAddrs
	// DefaultMaxAuthLineLength (12288) is the longest SASL response line
	// a client sends after an AUTHENTICATE continuation, CRLF included;
	// RFC 3501 section 6.2.2 leaves it open. A longer line gets BAD and
	// the session goes on.
	DefaultMaxAuthLineLength = netserver.DefaultMaxAuthLineLength
	// DefaultMaxLiteralSize is the largest message APPEND accepts,
	// advertised as APPENDLIMIT (RFC 7889).
	DefaultMaxLiteralSize = 64 << 20
	// DefaultMaxDepth bounds nested parentheses in SEARCH keys and other
	// lists.
	DefaultMaxDepth = 32
	// DefaultMaxSeqRanges bounds the ranges (comma-separated elements,
	// RFC 3501 section 9 sequence-set) of all the sequence sets of one
	// command together: FETCH, STORE, COPY, MOVE, UID EXPUNGE, and every
	// sequence-set and UID key of one SEARCH summed. More get BAD
	// [LIMIT] (RFC 5530) and the session goes on. Sets are worked on as
	// ranges, so each range costs O(log R), not a message list.
	DefaultMaxSeqRanges = 10000
)

// limits are the Server's limit fields resolved by netserver.Resolve:
// the ones the three servers share and IMAP's own, a zero field taking
// its Default constant.
type limits struct {
	netserver.Limits
	MaxLiteralSize int64
	MaxDepth       int
	MaxSeqRanges   int
}

// defaults are the Default constants that are IMAP's own; the shared
// limits left out take netserver's.
var defaults = limits{
	Limits: netserver.Limits{MaxLineLength: DefaultMaxLineLength, MaxErrors: DefaultMaxErrors,
		CommandTimeout: DefaultCommandTimeout, LoginTimeout: DefaultLoginTimeout},
	MaxLiteralSize: DefaultMaxLiteralSize, MaxDepth: DefaultMaxDepth, MaxSeqRanges: DefaultMaxSeqRanges,
}

// resolve applies the defaults to the fields, once (see core).
func (srv *Server) resolve() netserver.Settings {
	netserver.Resolve(&srv.lim, srv, defaults)
	return netserver.Settings{Name: "imap", Logger: srv.Logger, Debug: srv.Debug, Limits: srv.lim.Limits}
}
