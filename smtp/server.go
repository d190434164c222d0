package smtp

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
	// MaxAuthLineLength bounds each SASL response line of AUTH.
	MaxAuthLineLength int
	// SMTP's own limits.
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

	ns  netserver.Server[*Conn]
	lim limits // set by resolve
}

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close.
var ErrServerClosed = errors.New("smtp: server closed")

// ErrDropConnection, returned by Server.BeforeCommand, closes the
// connection without a reply, as a network failure would.
var ErrDropConnection = errors.New("smtp: drop connection")

// ListenAndServe listens on srv.Addr and serves plain SMTP; STARTTLS is
// offered when TLSConfig is set. "" means ":25" (":24" in LMTP mode).
func (srv *Server) ListenAndServe() error { return srv.core().ListenAndServe(srv.Addr) }

// ListenAndServeTLS listens on srv.Addr (":465" by default) and serves SMTP
// over implicit TLS (RFC 8314 section 3). certFile and keyFile are loaded
// into a copy of TLSConfig when given; otherwise TLSConfig must hold a
// certificate.
func (srv *Server) ListenAndServeTLS(certFile, keyFile string) error {
	return srv.core().ListenAndServeTLS(srv.Addr, srv.TLSConfig, certFile, keyFile)
}

// Serve accepts connections on l and serves each in its own goroutine. It
// returns ErrServerClosed after Shutdown or Close; l is closed on return.
// A listener made by tls.NewListener gives implicit TLS; its handshake is
// done in the connection's goroutine, bounded by TLSHandshakeTimeout.
func (srv *Server) Serve(l net.Listener) error { return srv.core().Serve(l) }

// Shutdown stops the server gracefully: it closes the listeners, tells each
// session that waits for a command "421 4.3.2 shutting down" (RFC 5321
// 3.8) and closes it, lets sessions that are in the middle of a command
// (such as receiving a message) finish it first, and waits until every
// session is gone or ctx ends.
func (srv *Server) Shutdown(ctx context.Context) error { return srv.core().Shutdown(ctx) }

// Close closes the listeners and every connection at once, without a
// reply. Sessions end with Logout; messages being received are not
// delivered.
func (srv *Server) Close() error { return srv.core().Close() }

// core returns the plumbing the three servers share, set up from the
// fields on first use (they must not change once serving).
func (srv *Server) core() *netserver.Server[*Conn] { return srv.ns.Setup(srv.resolve, srv.protocol) }

// protocol tells netserver how SMTP sessions are made, run and refused.
func (srv *Server) protocol() netserver.Protocol[*Conn] {
	p := netserver.Protocol[*Conn]{
		Addr: ":25", TLSAddr: ":465",
		// Only a submission server has a login phase, and with it the
		// eviction of sessions not logged in: an MTA on port 25 serves
		// every client unauthenticated, and one in the middle of a
		// transaction must not lose it to a newcomer.
		Login: srv.AuthRequired,
		New:   func(nc net.Conn) *Conn { return newConn(srv, nc) },
		Line:  func(c *Conn) *netserver.Line { return c.line },
		Serve: (*Conn).serve,
		Refuse: func(c *Conn) {
			c.refuse(NewReply(CodeServiceNotAvailable, EnhancedTempSecurity, srv.domain()+" Too many connections, try again later"))
		},
		Done:       (*Conn).putBuffers,
		HasBackend: func() bool { return srv.Backend != nil },
		ErrClosed:  ErrServerClosed,
	}
	if srv.LMTP {
		p.Addr = ":24"
	}
	return p
}

// limits returns the limit fields with their defaults applied.
func (srv *Server) limits() *limits {
	srv.core()
	return &srv.lim
}

// domain returns Domain, or the host name looked up once.
func (srv *Server) domain() string { return srv.core().Domain() }

// logger returns Logger, or one that discards.
func (srv *Server) logger() *slog.Logger { return srv.core().Logger() }
