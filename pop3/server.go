package pop3

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/mailwire/mailwire/internal/netserver"
)

// Server is a POP3 server (RFC 1939) with CAPA, response codes and
// PIPELINING (RFC 2449), STLS (RFC 2595), SASL AUTH (RFC 5034), UTF8 (RFC
// 6856) and implicit TLS (RFC 8314). Set its fields, then call Serve,
// ListenAndServe or ListenAndServeTLS. The zero value with a Backend is a
// safe server to expose: every limit has a default and passwords are only
// taken over TLS. Fields must not change once serving.
type Server struct {
	// Addr is the address ListenAndServe listens on; "" means ":110"
	// (":995" for ListenAndServeTLS, RFC 8314 section 3.3).
	Addr string
	// Domain is the host name in the greeting and the APOP timestamp; ""
	// uses os.Hostname.
	Domain string
	// Backend opens the maildrops. Required.
	Backend Backend

	// TLSConfig enables STLS (RFC 2595) and is used by ListenAndServeTLS.
	TLSConfig *tls.Config
	// AllowInsecureAuth accepts USER/PASS and AUTH without TLS. Off by
	// default: the password would cross the network in the clear (RFC 2595
	// section 2.1); such commands get -ERR [AUTH] and CAPA leaves USER and
	// SASL out. APOP, which sends no password, is always allowed.
	AllowInsecureAuth bool
	// Expire is the EXPIRE capability's policy (RFC 2449 6.7), such as
	// "NEVER" or "30"; "" leaves the capability out.
	Expire string
	// LoginDelay is the shortest time between two logins of one user,
	// advertised as LOGIN-DELAY (RFC 2449 6.8) and enforced with -ERR
	// [LOGIN-DELAY]; zero for none.
	LoginDelay time.Duration
	// BeforeCommand, if set, is called before each command the state
	// allows, before it runs. A non-nil error refuses the command: a
	// *Response is sent as its reply (and counts towards MaxErrors),
	// ErrDropConnection or any other error closes the connection without
	// a reply. Test helpers inject faults with it; a server may enforce
	// policy. The same hook as SMTP's and IMAP's.
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
	LoginTimeout          time.Duration
	WriteTimeout          time.Duration
	TLSHandshakeTimeout   time.Duration
	// The failed-login delay, counted by client across its connections;
	// a negative AuthFailureDelay answers failed logins at once.
	AuthFailureDelay    time.Duration
	MaxAuthFailureDelay time.Duration
	AuthFailureReset    time.Duration
	MaxAuthFailureAddrs int
	// MaxAuthLineLength bounds each SASL response line of AUTH.
	MaxAuthLineLength int

	// Logger receives errors and connection events; nil discards them.
	Logger *slog.Logger
	// Debug, if set, receives every command line ("C: ") and status line
	// ("S: ") of every session, with passwords and SASL data replaced by
	// "***". Multi-line data is shown as a count of octets.
	Debug io.Writer

	ns        netserver.Server[*Conn]
	lim       limits              // set by resolve
	mu        sync.Mutex          // guards locked and lastLogin
	locked    map[string]struct{} // users with an open maildrop
	lastLogin map[string]time.Time
	// sleep, if set, replaces the pause after a failed login and is
	// given the delay that failure was assigned; tests record them.
	sleep func(time.Duration)
}

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close.
var ErrServerClosed = errors.New("pop3: server closed")

// ErrDropConnection, returned by Server.BeforeCommand, closes the
// connection without a reply, as a network failure would.
var ErrDropConnection = errors.New("pop3: drop connection")

// ListenAndServe listens on srv.Addr (":110" by default) and serves
// plain POP3; STLS is offered when TLSConfig is set.
func (srv *Server) ListenAndServe() error { return srv.core().ListenAndServe(srv.Addr) }

// ListenAndServeTLS listens on srv.Addr (":995" by default) and serves POP3
// over implicit TLS (RFC 8314 section 3.3). certFile and keyFile are loaded
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
// session that waits for a command "-ERR [SYS/TEMP]" and closes it without
// entering UPDATE (nothing is deleted), lets sessions in the middle of a
// command (such as sending a message) finish it first, and waits until
// every session is gone or ctx ends.
func (srv *Server) Shutdown(ctx context.Context) error { return srv.core().Shutdown(ctx) }

// Close closes the listeners and every connection at once, without a
// reply. No session enters UPDATE, so nothing is deleted.
func (srv *Server) Close() error { return srv.core().Close() }

// core returns the plumbing the three servers share, set up from the
// fields on first use (they must not change once serving).
func (srv *Server) core() *netserver.Server[*Conn] { return srv.ns.Setup(srv.resolve, srv.protocol) }

// protocol tells netserver how POP3 sessions are made, run and refused.
func (srv *Server) protocol() netserver.Protocol[*Conn] {
	return netserver.Protocol[*Conn]{
		Addr: ":110", TLSAddr: ":995", Login: true,
		New:        func(nc net.Conn) *Conn { return newConn(srv, nc) },
		Line:       func(c *Conn) *netserver.Line { return c.line },
		Serve:      (*Conn).serve,
		Refuse:     func(c *Conn) { c.refuse(ErrResponse(CodeSysTemp, "Too many connections, try again later")) },
		HasBackend: func() bool { return srv.Backend != nil },
		ErrClosed:  ErrServerClosed,
	}
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

// lock takes user's maildrop for one session (RFC 1939 section 8: the
// server must lock the maildrop), refusing with -ERR [IN-USE] when another
// session holds it (RFC 2449 8.1.1) and with -ERR [LOGIN-DELAY] when the
// user logged in less than LoginDelay ago (RFC 2449 8.1.2).
func (srv *Server) lock(user string) *Response {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if _, taken := srv.locked[user]; taken {
		return ErrResponse(CodeInUse, "Mailbox is locked by another session")
	}
	if srv.LoginDelay > 0 {
		if last, ok := srv.lastLogin[user]; ok && time.Since(last) < srv.LoginDelay {
			return ErrResponse(CodeLoginDelay, "Logged in too recently")
		}
		if srv.lastLogin == nil {
			srv.lastLogin = make(map[string]time.Time)
		}
		if len(srv.lastLogin) >= 1024 {
			// Forget logins old enough not to matter, so the map stays
			// as small as the number of recent users.
			for u, t := range srv.lastLogin {
				if time.Since(t) >= srv.LoginDelay {
					delete(srv.lastLogin, u)
				}
			}
		}
		srv.lastLogin[user] = time.Now()
	}
	if srv.locked == nil {
		srv.locked = make(map[string]struct{})
	}
	srv.locked[user] = struct{}{}
	return nil
}

// unlock drops the lock lock took on user's maildrop.
func (srv *Server) unlock(user string) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	delete(srv.locked, user)
}
