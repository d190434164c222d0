package smtp

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/mailwire/mailwire/internal/netserver"
)

// Defaults for the Server's limits. Each applies when its field is zero;
// set a negative value to remove a limit where the field says so.
const (
	// DefaultMaxLineLength is the longest command line, CRLF included
	// (RFC 5321 4.5.3.1.4: 512 octets).
	DefaultMaxLineLength = 512
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
	// DefaultMaxErrors is how many refused commands a session may send
	// before 421 4.7.0 and disconnect (RFC 5321 3.8 lets a server close
	// with 421), as Postfix's smtpd_hard_error_limit.
	DefaultMaxErrors = 20
	// DefaultMaxAuthFailures is how many failed AUTH commands a session
	// may make before 421 4.7.0 and disconnect; 3, as Dovecot's login
	// processes allow and as the POP3 and IMAP servers do, since a
	// client that guesses passwords gains nothing from a long session
	// (RFC 4954 section 14).
	DefaultMaxAuthFailures = 3
	// DefaultMaxConnections is the most concurrent sessions; more get 421
	// 4.7.0 at accept (RFC 5321 3.8). On a server with AuthRequired, a
	// full server first makes room by closing, with the same 421, the
	// oldest session that has not authenticated and waits for a command.
	DefaultMaxConnections = 1000
	// DefaultMaxConnectionsPerAddr is the most concurrent sessions of one
	// client (its IP address; IPv6 by /64); more get the 421 of a full
	// server. 50 is Postfix's smtpd_client_connection_count_limit: it
	// leaves room for a busy relay or a NAT while one client cannot take
	// more than a twentieth of DefaultMaxConnections.
	DefaultMaxConnectionsPerAddr = 50
	// DefaultLoginTimeout bounds, on a server with AuthRequired, the time
	// from connection to a successful AUTH, however often the client
	// sends: RFC 5321 4.5.3.2.7's five minutes, so that a client waiting
	// for a command is never cut off sooner than the command timeout
	// would. Without AuthRequired (a server on port 25) no login phase
	// exists and only CommandTimeout applies.
	DefaultLoginTimeout = 5 * time.Minute
	// DefaultAuthFailureDelay is how long the answer to a client's first
	// failed AUTH waits (Dovecot's auth_failure_delay, as Postfix sleeps
	// after an error). Each further failure of the same client, on any of
	// its connections, doubles it, and one client's failures are answered
	// one after the other, so that it gets at most one answer per
	// AuthFailureDelay however many connections it opens (RFC 4954
	// section 9).
	DefaultAuthFailureDelay = 2 * time.Second
	// DefaultMaxAuthFailureDelay caps the doubling, as Dovecot's
	// authentication penalty stops at 15 seconds.
	DefaultMaxAuthFailureDelay = 15 * time.Second
	// DefaultAuthFailureReset is how long a client must go without a
	// failed AUTH, from its last answer, before its delay starts over;
	// a successful AUTH starts it over too.
	DefaultAuthFailureReset = 10 * time.Minute
	// DefaultMaxAuthFailureAddrs is how many clients' failures are
	// remembered (about 240 bytes each, 4 MB in all); beyond it the
	// client whose last failure is oldest is forgotten.
	DefaultMaxAuthFailureAddrs = 16384
	// DefaultCommandTimeout is how long the server waits for the next
	// command (RFC 5321 4.5.3.2.7: at least 5 minutes).
	DefaultCommandTimeout = 5 * time.Minute
	// DefaultDataTimeout is how long the server waits for more message
	// data; each arriving block restarts it (RFC 5321 4.5.3.2.5).
	DefaultDataTimeout = 3 * time.Minute
	// DefaultWriteTimeout bounds each write of a reply, so that a client
	// that stops reading cannot hold a session; RFC 5321 4.5.3.2 sets
	// the client's timeouts, none for the server's writes.
	DefaultWriteTimeout = 2 * time.Minute
	// DefaultTLSHandshakeTimeout bounds the TLS handshake of STARTTLS
	// (RFC 3207 section 4) and implicit TLS (RFC 8314 section 3).
	DefaultTLSHandshakeTimeout = 30 * time.Second
	// DefaultMaxAuthLineLength is the longest SASL response line (RFC 4954
	// section 4: at least 12288 octets).
	DefaultMaxAuthLineLength = 12288
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close.
var ErrServerClosed = errors.New("smtp: server closed")

// ErrDropConnection, returned by Server.BeforeCommand, closes the
// connection without a reply, as a network failure would.
var ErrDropConnection = errors.New("smtp: drop connection")

// Server is an SMTP (RFC 5321) or LMTP (RFC 2033) server. Set its fields,
// then call Serve, ListenAndServe or ListenAndServeTLS. The zero value with
// a Backend is a safe server to expose: every limit has a default.
// Fields must not change once serving.
type Server struct {
	// Addr is the address ListenAndServe listens on; "" means ":25"
	// (":465" for ListenAndServeTLS, ":24" in LMTP mode).
	Addr string
	// Domain is the host name the server announces in its greeting and in
	// its EHLO reply; "" uses os.Hostname.
	Domain string
	// Backend receives the mail. Required.
	Backend Backend

	// TLSConfig enables STARTTLS (RFC 3207) and is used by
	// ListenAndServeTLS for implicit TLS (RFC 8314).
	TLSConfig *tls.Config
	// AllowInsecureAuth offers and accepts AUTH without TLS. Off by
	// default: credentials would cross the network in the clear (RFC 4954
	// section 4 and 14).
	AllowInsecureAuth bool
	// AuthRequired refuses MAIL until the client authenticated, with 530
	// 5.7.0, as a submission server (RFC 6409 4.3) does.
	AuthRequired bool
	// LMTP switches to LMTP (RFC 2033): LHLO instead of EHLO, and one reply
	// per recipient after the data.
	LMTP bool
	// AllowBareNewlines accepts a bare CR or LF inside message data as
	// data. By default such a message is refused with 554 5.6.0, because
	// the two ends may disagree about where it ends ("SMTP smuggling").
	// A bare line end never ends the data, whatever this says.
	AllowBareNewlines bool
	// BeforeCommand, if set, is called before each command the state
	// allows, before it runs. A non-nil error refuses the command: a
	// *Reply is sent as its reply (and counts towards MaxErrors; a
	// refused BDAT chunk is read and thrown away), ErrDropConnection or
	// any other error closes the connection without a reply. Test
	// helpers inject faults with it; a server may enforce policy. The
	// same hook as POP3's and IMAP's.
	BeforeCommand func(c *Conn, cmd Command) error

	// Limits. A field left zero takes the Default constant of its name;
	// so does a negative one, except where the field says that it
	// removes the limit. The limits all three servers share come first.
	MaxLineLength   int
	MaxErrors       int
	MaxAuthFailures int
	MaxConnections  int
	// MaxConnectionsPerAddr; negative removes the limit.
	MaxConnectionsPerAddr int
	CommandTimeout        time.Duration
	// LoginTimeout applies only with AuthRequired.
	LoginTimeout        time.Duration
	WriteTimeout        time.Duration
	TLSHandshakeTimeout time.Duration
	// The failed-login delay, counted by client across its connections;
	// a negative AuthFailureDelay answers failed AUTHs at once.
	AuthFailureDelay    time.Duration
	MaxAuthFailureDelay time.Duration
	AuthFailureReset    time.Duration
	MaxAuthFailureAddrs int
	// SMTP's own limits.
	MaxAuthLineLength int
	MaxTextLineLength int
	// MaxMessageBytes; negative removes the limit (and SIZE has no value).
	MaxMessageBytes int64
	MaxRecipients   int
	DataTimeout     time.Duration

	// Logger receives errors and connection events; nil discards them.
	Logger *slog.Logger
	// Debug, if set, receives every command line ("C: ") and reply line
	// ("S: ") of every session, with AUTH credentials replaced by "***".
	// Message data is shown as a count of octets.
	Debug io.Writer

	group netserver.Group[*Conn]
	base  netserver.Base
	lim   limits // set by resolve
}

// core returns the state the three servers share, with the fields
// resolved on first use (they must not change once serving).
func (srv *Server) core() *netserver.Base { return srv.base.Setup(srv.resolve) }

// limits returns the limit fields with their defaults applied.
func (srv *Server) limits() *limits {
	srv.core()
	return &srv.lim
}

// domain returns Domain, or the host name looked up once.
func (srv *Server) domain() string { return srv.core().Domain() }

// logger returns Logger, or one that discards.
func (srv *Server) logger() *slog.Logger { return srv.core().Logger() }

// ListenAndServe listens on srv.Addr and serves plain SMTP; STARTTLS is
// offered when TLSConfig is set. "" means ":25" (":24" in LMTP mode).
func (srv *Server) ListenAndServe() error {
	addr := cmp.Or(srv.Addr, ":25")
	if srv.LMTP {
		addr = cmp.Or(srv.Addr, ":24")
	}
	return srv.group.ListenAndServe("smtp", addr, nil, srv.Serve, ErrServerClosed)
}

// ListenAndServeTLS listens on srv.Addr (":465" by default) and serves SMTP
// over implicit TLS (RFC 8314 section 3). certFile and keyFile are loaded
// into a copy of TLSConfig when given; otherwise TLSConfig must hold a
// certificate.
func (srv *Server) ListenAndServeTLS(certFile, keyFile string) error {
	tf := &netserver.TLSFiles{Config: srv.TLSConfig, CertFile: certFile, KeyFile: keyFile}
	return srv.group.ListenAndServe("smtp", cmp.Or(srv.Addr, ":465"), tf, srv.Serve, ErrServerClosed)
}

// Serve accepts connections on l and serves each in its own goroutine. It
// returns ErrServerClosed after Shutdown or Close; l is closed on return.
// A listener made by tls.NewListener gives implicit TLS; its handshake is
// done in the connection's goroutine, bounded by TLSHandshakeTimeout.
func (srv *Server) Serve(l net.Listener) error {
	cfg := netserver.Config[*Conn]{
		Base:  srv.core(),
		New:   func(nc net.Conn) *Conn { return newConn(srv, nc) },
		Serve: (*Conn).serve,
		Refuse: func(c *Conn) {
			c.refuse(NewReply(CodeServiceNotAvailable, EnhancedTempSecurity, srv.domain()+" Too many connections, try again later"))
		},
		ErrClosed: ErrServerClosed,
	}
	if srv.Backend == nil {
		cfg.Invalid = errors.New("smtp: Server.Backend is nil")
	}
	if srv.AuthRequired {
		// Only where a login phase exists: an MTA on port 25 serves
		// every client unauthenticated, and one in the middle of a
		// transaction must not lose it to a newcomer.
		cfg.Evict = func(c *Conn) bool { return c.io.EvictIfIdle() }
	}
	return srv.group.Serve(l, cfg)
}

// Shutdown stops the server gracefully: it closes the listeners, tells each
// session that waits for a command "421 4.3.2 shutting down" (RFC 5321
// 3.8) and closes it, lets sessions that are in the middle of a command
// (such as receiving a message) finish it first, and waits until every
// session is gone or ctx ends.
func (srv *Server) Shutdown(ctx context.Context) error {
	return srv.group.Shutdown(ctx, func(c *Conn) { c.io.InterruptIfIdle() })
}

// Close closes the listeners and every connection at once, without a
// reply. Sessions end with Logout; messages being received are not
// delivered.
func (srv *Server) Close() error {
	return srv.group.Close(func(c *Conn) { c.io.CloseNow() })
}
