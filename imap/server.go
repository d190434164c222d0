package imap

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

// Defaults for the Server's limits. Each applies when its field is zero.
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
	// DefaultMaxAuthLineLength is the longest SASL response line a client
	// sends after an AUTHENTICATE continuation, CRLF included (RFC 3501
	// section 6.2.2 leaves it open; SCRAM with long names and OAUTHBEARER
	// tokens need a few kilobytes, and SMTP's RFC 4954 section 4 asks for
	// 12288). A longer line gets BAD and the session goes on.
	DefaultMaxAuthLineLength = 12288
	// DefaultMaxAuthFailures is how many failed LOGIN or AUTHENTICATE
	// commands a connection may make before BYE (RFC 9051 section 11.7
	// asks servers to limit failed attempts); 3, as Dovecot's login
	// processes allow.
	DefaultMaxAuthFailures = 3
	// DefaultMaxErrors is how many BAD responses (RFC 3501 section
	// 7.1.3) a connection may earn before BYE, so garbage cannot keep a
	// session alive.
	DefaultMaxErrors = 50
	// DefaultMaxConnections is the most concurrent sessions; more get
	// "* BYE [UNAVAILABLE]" at once (RFC 5530). A full server first makes
	// room by closing, with the same BYE, the oldest session that has not
	// logged in and waits for a command.
	DefaultMaxConnections = 1000
	// DefaultMaxConnectionsPerAddr is the most concurrent sessions of one
	// client (its IP address; IPv6 by /64); more get the BYE of a full
	// server. 50 is Postfix's smtpd_client_connection_count_limit: five
	// times Dovecot's mail_max_userip_connections of 10 per user, room
	// for a few users behind one NAT, while one client cannot take more
	// than a twentieth of DefaultMaxConnections.
	DefaultMaxConnectionsPerAddr = 50
	// DefaultAuthFailureDelay is how long the answer to a client's first
	// failed LOGIN or AUTHENTICATE waits (Dovecot's auth_failure_delay;
	// RFC 9051 section 11.7: "a server SHOULD have mechanisms in place to
	// limit or delay failed AUTHENTICATE/LOGIN attempts"). Each further
	// failure of the same client, on any of its connections, doubles it,
	// and one client's failures are answered one after the other, so
	// that it gets at most one answer per AuthFailureDelay however many
	// connections it opens.
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
	// DefaultWriteTimeout bounds each write to the client, so that one
	// that stops reading cannot hold a session; no RFC sets it, and it
	// is the write timeout of the SMTP and POP3 servers.
	DefaultWriteTimeout = 2 * time.Minute
	// DefaultTLSHandshakeTimeout bounds the TLS handshake of STARTTLS
	// (RFC 3501 section 6.2.1) and implicit TLS (RFC 8314 section 3).
	DefaultTLSHandshakeTimeout = 30 * time.Second
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close.
var ErrServerClosed = errors.New("imap: server closed")

// ErrDropConnection, returned by Server.BeforeCommand, closes the
// connection without a reply, as a network failure would.
var ErrDropConnection = errors.New("imap: drop connection")

// Server is an IMAP4rev1 server (RFC 3501). Set its fields, then call
// Serve, ListenAndServe or ListenAndServeTLS. The zero value with a Backend
// is safe to expose: every limit has a default. Fields must not change
// once serving.
type Server struct {
	// Addr is the address ListenAndServe listens on; "" means ":143"
	// (":993" for ListenAndServeTLS).
	Addr string
	// Backend stores the mail. Required.
	Backend Backend

	// TLSConfig enables STARTTLS (RFC 3501 section 6.2.1) and is used by
	// ListenAndServeTLS for implicit TLS (RFC 8314).
	TLSConfig *tls.Config
	// AllowInsecureAuth accepts LOGIN and AUTHENTICATE without TLS. Off
	// by default: the server then advertises LOGINDISABLED (RFC 3501
	// section 6.2.3) and refuses credentials sent in the clear.
	AllowInsecureAuth bool

	// Limits. A field left zero takes the Default constant of its name;
	// so does a negative one, except where the field says that it
	// removes the limit. The limits all three servers share come first.
	// MaxLineLength also bounds the lines of an AUTHENTICATE exchange,
	// which IMAP reads as part of the command.
	MaxLineLength   int
	MaxErrors       int
	MaxAuthFailures int
	MaxConnections  int
	// MaxConnectionsPerAddr; negative removes the limit.
	MaxConnectionsPerAddr int
	CommandTimeout        time.Duration
	LoginTimeout          time.Duration
	WriteTimeout          time.Duration
	TLSHandshakeTimeout   time.Duration
	// The failed-login delay, counted by client across its connections;
	// a negative AuthFailureDelay answers failed logins at once.
	AuthFailureDelay    time.Duration
	MaxAuthFailureDelay time.Duration
	AuthFailureReset    time.Duration
	MaxAuthFailureAddrs int
	// IMAP's own limits.
	MaxLiteralSize int64
	MaxDepth       int
	MaxSeqRanges   int
	// MaxAuthLineLength bounds each AUTHENTICATE response line; the
	// initial response (RFC 4959) is part of the command, which
	// MaxLineLength bounds.
	MaxAuthLineLength int

	// BeforeCommand, if set, is called before each command the state
	// allows, before its arguments are read and it runs, with its tag and
	// verb (cmd.Verb.String() is its name, "UID FETCH"). A non-nil error
	// refuses the command: a *StatusResponse is sent as its tagged reply,
	// ErrDropConnection or any other error closes the connection without
	// a reply. Test helpers inject faults with it; a server may enforce
	// policy. The same hook as SMTP's and POP3's.
	BeforeCommand func(c *Conn, cmd Command) error

	// Logger receives errors and connection events; nil discards them.
	Logger *slog.Logger
	// Debug, if set, receives every line exchanged ("C: " and "S: "),
	// with LOGIN and AUTHENTICATE credentials replaced by "***" and
	// message literals shown as a count of octets.
	Debug io.Writer

	group netserver.Group[*Conn]
	base  netserver.Base
	lim   limits // set by resolve
	// recent decides which session sees a message as \\Recent.
	recent recentClaims
}

// core returns the state the three servers share, with the fields
// resolved on first use (they must not change once serving).
func (srv *Server) core() *netserver.Base { return srv.base.Setup(srv.resolve) }

// limits returns the limit fields with their defaults applied.
func (srv *Server) limits() *limits {
	srv.core()
	return &srv.lim
}

// logger returns Logger, or one that discards.
func (srv *Server) logger() *slog.Logger { return srv.core().Logger() }

// ListenAndServe listens on srv.Addr (":143" by default) and serves
// IMAP; STARTTLS is offered when TLSConfig is set.
func (srv *Server) ListenAndServe() error {
	return srv.group.ListenAndServe("imap", cmp.Or(srv.Addr, ":143"), nil, srv.Serve, ErrServerClosed)
}

// ListenAndServeTLS listens on srv.Addr (":993" by default) and serves
// IMAP over implicit TLS (RFC 8314 section 3). certFile and keyFile are
// loaded into a copy of TLSConfig when given; otherwise TLSConfig must
// hold a certificate.
func (srv *Server) ListenAndServeTLS(certFile, keyFile string) error {
	tf := &netserver.TLSFiles{Config: srv.TLSConfig, CertFile: certFile, KeyFile: keyFile}
	return srv.group.ListenAndServe("imap", cmp.Or(srv.Addr, ":993"), tf, srv.Serve, ErrServerClosed)
}

// Serve accepts connections on l and serves each in its own goroutine. It
// returns ErrServerClosed after Shutdown or Close; l is closed on return.
// A listener made by tls.NewListener gives implicit TLS.
func (srv *Server) Serve(l net.Listener) error {
	cfg := netserver.Config[*Conn]{
		Base:  srv.core(),
		New:   func(nc net.Conn) *Conn { return newConn(srv, nc) },
		Serve: (*Conn).serve,
		Refuse: func(c *Conn) {
			c.refuse(&StatusResponse{Type: StatusBYE, Code: CodeUnavailable, Text: "Too many connections, try again later"})
		},
		Evict:     func(c *Conn) bool { return c.io.EvictIfIdle() },
		ErrClosed: ErrServerClosed,
	}
	if srv.Backend == nil {
		cfg.Invalid = errors.New("imap: Server.Backend is nil")
	}
	return srv.group.Serve(l, cfg)
}

// Shutdown stops the server gracefully: it closes the listeners, sends
// "* BYE" (RFC 3501 section 7.1.5) to each session that waits for a
// command or is in IDLE and closes it, lets sessions in the middle of a
// command finish it first, and waits until every session is gone or ctx
// ends.
func (srv *Server) Shutdown(ctx context.Context) error {
	return srv.group.Shutdown(ctx, func(c *Conn) { c.io.InterruptIfIdle() })
}

// Close closes the listeners and every connection at once, without a
// reply.
func (srv *Server) Close() error {
	return srv.group.Close(func(c *Conn) { c.io.CloseNow() })
}
