package smtp

import (
	"time"

	"github.com/mailwire/mailwire/internal/netserver"
)

// Defaults for the Server's limits. Each applies when its field is zero;
// set a negative value to remove a limit where the field says so.
const (
	// DefaultMaxLineLength is the longest command line, CRLF included
	// (RFC 5321 4.5.3.1.4: 512 octets).
	DefaultMaxLineLength = 512
	// DefaultMaxErrors is how many refused commands a session may send
	// before 421 4.7.0 and disconnect (RFC 5321 3.8 lets a server close
	// with 421), as Postfix's smtpd_hard_error_limit.
	DefaultMaxErrors = 20
	// DefaultMaxAuthFailures (3) is how many failed AUTH commands a
	// session may make before 421 4.7.0 and disconnect (RFC 4954
	// section 14).
	DefaultMaxAuthFailures = netserver.DefaultMaxAuthFailures
	// DefaultMaxConnections (1000) is the most concurrent sessions; more
	// get 421 4.7.0 at accept (RFC 5321 3.8). Only with AuthRequired does
	// a full server first close, with the same 421, the oldest session
	// that has not authenticated and waits for a command.
	DefaultMaxConnections = netserver.DefaultMaxConnections
	// DefaultMaxConnectionsPerAddr (50) is the most concurrent sessions
	// of one client (IPv6: one /64); more get the 421 of a full server.
	DefaultMaxConnectionsPerAddr = netserver.DefaultMaxConnectionsPerAddr
	// DefaultCommandTimeout is how long the server waits for the next
	// command (RFC 5321 4.5.3.2.7: at least 5 minutes).
	DefaultCommandTimeout = 5 * time.Minute
	// DefaultLoginTimeout bounds, on a server with AuthRequired, the time
	// from connection to a successful AUTH, however often the client
	// sends: RFC 5321 4.5.3.2.7's five minutes, so that a client waiting
	// for a command is never cut off sooner than the command timeout
	// would. Without AuthRequired (a server on port 25) no login phase
	// exists and only CommandTimeout applies.
	DefaultLoginTimeout = 5 * time.Minute
	// DefaultWriteTimeout (2 minutes) bounds each write of a reply; RFC
	// 5321 4.5.3.2 sets the client's timeouts, none for the server's.
	DefaultWriteTimeout = netserver.DefaultWriteTimeout
	// DefaultTLSHandshakeTimeout (30 seconds) bounds the TLS handshake of
	// STARTTLS (RFC 3207 section 4) and of implicit TLS (RFC 8314).
	DefaultTLSHandshakeTimeout = netserver.DefaultTLSHandshakeTimeout
	// DefaultAuthFailureDelay (2 seconds) is how long the answer to a
	// client's first failed AUTH waits (RFC 4954 section 9); each further
	// failure of the client, on any of its connections, doubles it.
	DefaultAuthFailureDelay = netserver.DefaultAuthFailureDelay
	// DefaultMaxAuthFailureDelay (15 seconds) caps the doubling.
	DefaultMaxAuthFailureDelay = netserver.DefaultMaxAuthFailureDelay
	// DefaultAuthFailureReset (10 minutes) is how long a client must go
	// without a failed AUTH before its delay starts over.
	DefaultAuthFailureReset = netserver.DefaultAuthFailureReset
	// DefaultMaxAuthFailureAddrs (16384) is how many clients' failed
	// AUTHs are remembered; beyond it the oldest is forgotten.
	DefaultMaxAuthFailureAddrs = netserver.DefaultMaxAuthFailureAddrs
	// DefaultMaxAuthLineLength (12288) is the longest SASL response line,
	// the least RFC 4954 section 4 allows.
	DefaultMaxAuthLineLength = netserver.DefaultMaxAuthLineLength
	// DefaultMaxTextLineLength is the longest line of message data, CRLF
	// included. RFC 5321 4.5.3.1.6 requires at least 1000; real mail
	// carries longer lines, and Postfix's line_length_limit is 2048.
	DefaultMaxTextLineLength = 2048
	// DefaultMaxMessageBytes is the largest message, advertised with SIZE
	// (RFC 1870); large enough for a 25 MB attachment after base64.
	DefaultMaxMessageBytes = 36 << 20
	// DefaultMaxRecipients is the most recipients per message (RFC 5321
	// 4.5.3.1.8 requires at least 100).
	DefaultMaxRecipients = 100
	// DefaultDataTimeout is how long the server waits for more message
	// data; each arriving block restarts it (RFC 5321 4.5.3.2.5).
	DefaultDataTimeout = 3 * time.Minute
)

// limits are the Server's limit fields resolved by netserver.Resolve:
// the ones the three servers share and SMTP's own, a zero field taking
// its Default constant.
type limits struct {
	netserver.Limits
	MaxTextLineLength int
	MaxMessageBytes   int64 `negative:"off"` // 0: no limit
	MaxRecipients     int
	DataTimeout       time.Duration
}

// defaults are the Default constants that are SMTP's own; the shared
// limits left out take netserver's.
var defaults = limits{
	Limits: netserver.Limits{MaxLineLength: DefaultMaxLineLength, MaxErrors: DefaultMaxErrors,
		CommandTimeout: DefaultCommandTimeout, LoginTimeout: DefaultLoginTimeout},
	MaxTextLineLength: DefaultMaxTextLineLength, MaxMessageBytes: DefaultMaxMessageBytes,
	MaxRecipients: DefaultMaxRecipients, DataTimeout: DefaultDataTimeout,
}

// resolve applies the defaults to the fields, once (see core).
func (srv *Server) resolve() netserver.Settings {
	netserver.Resolve(&srv.lim, srv, defaults)
	return netserver.Settings{Name: "smtp", Domain: srv.Domain, Logger: srv.Logger, Debug: srv.Debug, Limits: srv.lim.Limits}
}
