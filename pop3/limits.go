package pop3

import (
	"time"

	"github.com/mailwire/mailwire/internal/netserver"
)

// Defaults for the Server's limits. Each applies when its field is zero;
// set a negative value to remove a limit where the field says so.
const (
	// DefaultMaxLineLength is the longest command line, CRLF included (RFC
	// 2449 section 4: 255 octets).
	DefaultMaxLineLength = 255
	// DefaultMaxErrors is how many refused commands (-ERR, RFC 1939
	// section 3) a session may send before the server closes it, as the
	// SMTP server's; so garbage cannot keep a session alive.
	DefaultMaxErrors = 20
	// DefaultMaxAuthFailures (3) is how many failed logins a session may
	// make before the server closes it with -ERR [AUTH] (RFC 3206
	// section 5).
	DefaultMaxAuthFailures = netserver.DefaultMaxAuthFailures
	// DefaultMaxConnections (1000) is the most concurrent sessions; more
	// get -ERR [SYS/TEMP] as their greeting (RFC 3206 section 4), once a
	// full server found no session that has not logged in to close with
	// the same -ERR.
	DefaultMaxConnections = netserver.DefaultMaxConnections
	// DefaultMaxConnectionsPerAddr (50) is the most concurrent sessions
	// of one client (IPv6: one /64); more get the -ERR of a full server.
	DefaultMaxConnectionsPerAddr = netserver.DefaultMaxConnectionsPerAddr
	// DefaultCommandTimeout is the autologout timer (RFC 1939 section 3:
	// at least 10 minutes).
	DefaultCommandTimeout = 10 * time.Minute
	// DefaultLoginTimeout bounds the time from connection to a successful
	// login, however often the client sends. It is RFC 1939 section 3's
	// ten minutes, so that a client is never cut off sooner than the
	// shortest autologout timer the RFC allows.
	DefaultLoginTimeout = 10 * time.Minute
	// DefaultWriteTimeout (2 minutes) bounds each write to the client; no
	// RFC sets it.
	DefaultWriteTimeout = netserver.DefaultWriteTimeout
	// DefaultTLSHandshakeTimeout (30 seconds) bounds the TLS handshake of
	// STLS (RFC 2595 section 4) and of implicit TLS (RFC 8314 section 3.3).
	DefaultTLSHandshakeTimeout = netserver.DefaultTLSHandshakeTimeout
	// DefaultAuthFailureDelay (2 seconds) is how long the answer to a
	// client's first failed PASS, APOP or AUTH waits; each further failure
	// of the client, on any of its connections, doubles it.
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
	// inside AUTH; RFC 5034 section 4 leaves it open.
	DefaultMaxAuthLineLength = netserver.DefaultMaxAuthLineLength
)

// limits are the Server's limit fields resolved by netserver.Resolve, a
// zero field taking its Default constant; POP3 has no limit of its own.
type limits struct{ netserver.Limits }

// defaults are the Default constants that are POP3's own; the shared
// limits left out take netserver's.
var defaults = limits{netserver.Limits{MaxLineLength: DefaultMaxLineLength, MaxErrors: DefaultMaxErrors,
	CommandTimeout: DefaultCommandTimeout, LoginTimeout: DefaultLoginTimeout}}

// resolve applies the defaults to the fields, once (see core).
func (srv *Server) resolve() netserver.Settings {
	netserver.Resolve(&srv.lim, srv, defaults)
	return netserver.Settings{Name: "pop3", Domain: srv.Domain, Logger: srv.Logger, Debug: srv.Debug, Limits: srv.lim.Limits}
}
