package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/mailwire/mailwire/internal/netserver"
)

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
	// MaxAuthLineLength bounds each AUTHENTICATE response line; the
	// initial response (RFC 4959) is part of the command, which
	// MaxLineLength bounds.
	MaxAuthLineLength int
	// IMAP's own limits.
	MaxLiteralSize int64
	MaxDepth       int
	MaxSeqRanges   int

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

	ns  netserver.Server[*Conn]
	lim limits // set by resolve
	// recent decides which session sees a message as \\Recent.
	recent recentClaims
}

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close.
var ErrServerClosed = errors.New("imap: server closed")

// ErrDropConnection, returned by Server.BeforeCommand, closes the
// connection without a reply, as a network failure would.
var ErrDropConnection = errors.New("imap: drop connection")

// ListenAndServe listens on srv.Addr (":143" by default) and serves
// IMAP; STARTTLS is offered when TLSConfig is set.
func (srv *Server) ListenAndServe() error { return srv.core().ListenAndServe(srv.Addr) }

// ListenAndServeTLS listens on srv.Addr (":993" by default) and serves
// IMAP over implicit TLS (RFC 8314 section 3). certFile and keyFile are
// loaded into a copy of TLSConfig when given; otherwise TLSConfig must
// hold a certificate.
func (srv *Server) ListenAndServeTLS(certFile, keyFile string) error {
	return srv.core().ListenAndServeTLS(srv.Addr, srv.TLSConfig, certFile, keyFile)
}

// Serve accepts connections on l and serves each in its own goroutine. It
// returns ErrServerClosed after Shutdown or Close; l is closed on return.
// A listener made by tls.NewListener gives implicit TLS.
func (srv *Server) Serve(l net.Listener) error { return srv.core().Serve(l) }

// Shutdown stops the server gracefully: it closes the listeners, sends
// "* BYE" (RFC 3501 section 7.1.5) to each session that waits for a
// command or is in IDLE and closes it, lets sessions in the middle of a
// command finish it first, and waits until every session is gone or ctx
// ends.
func (srv *Server) Shutdown(ctx context.Context) error { return srv.core().Shutdown(ctx) }

// Close closes the listeners and every connection at once, without a
// reply.
func (srv *Server) Close() error { return srv.core().Close() }

// core returns the plumbing the three servers share, set up from the
// fields on first use (they must not change once serving).
func (srv *Server) core() *netserver.Server[*Conn] { return srv.ns.Setup(srv.resolve, srv.protocol) }

// protocol tells netserver how IMAP sessions are made, run and refused.
func (srv *Server) protocol() netserver.Protocol[*Conn] {
	return netserver.Protocol[*Conn]{
		Addr: ":143", TLSAddr: ":993", Login: true,
		New:   func(nc net.Conn) *Conn { return newConn(srv, nc) },
		Line:  func(c *Conn) *netserver.Line { return c.line },
		Serve: (*Conn).serve,
		Refuse: func(c *Conn) {
			c.refuse(&StatusResponse{Type: StatusBYE, Code: CodeUnavailable, Text: "Too many connections, try again later"})
		},
		HasBackend: func() bool { return srv.Backend != nil },
		ErrClosed:  ErrServerClosed,
	}
}

// limits returns the limit fields with their defaults applied.
func (srv *Server) limits() *limits {
	srv.core()
	return &srv.lim
}

// logger returns Logger, or one that discards.
func (srv *Server) logger() *slog.Logger { return srv.core().Logger() }
