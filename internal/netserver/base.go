package netserver

import (
	"io"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Limits are the limit fields that the SMTP, POP3 and IMAP Servers all
// have, under the same names and with the same meaning, once resolved:
// each protocol package documents a Default constant per field and
// fills Limits with Or (or Limit) from its Server's fields.
type Limits struct {
	// MaxLineLength bounds one command line, line end included.
	MaxLineLength int
	// MaxErrors is how many refused commands a session may send before
	// the server closes it.
	MaxErrors int
	// MaxAuthFailures is how many failed logins a session may make
	// before the server closes it.
	MaxAuthFailures int
	// MaxConnections bounds the sessions served at once.
	MaxConnections int
	// MaxConnectionsPerAddr bounds the sessions of one client (AddrKey)
	// at once; 0 means no bound.
	MaxConnectionsPerAddr int
	// CommandTimeout is how long a session may wait for the next command
	// (the autologout timer).
	CommandTimeout time.Duration
	// LoginTimeout bounds the time from connection to a login, counted
	// once from the connection; 0 means the session has no login phase.
	LoginTimeout time.Duration
	// WriteTimeout bounds each write.
	WriteTimeout time.Duration
	// TLSHandshakeTimeout bounds a TLS handshake.
	TLSHandshakeTimeout time.Duration
	// The failed-login delay (FailureDelay); AuthFailureDelay 0, which a
	// negative field resolves to with Limit, turns it off.
	AuthFailureDelay    time.Duration
	MaxAuthFailureDelay time.Duration
	AuthFailureReset    time.Duration
	MaxAuthFailureAddrs int
}

// Or resolves a limit field: a value above zero is used as it is, zero
// (and a negative value, which no limit has a use for unless its field
// says so and resolves with Limit) takes the documented default. It is
// the one meaning of "zero means the default" in the three servers.
func Or[T int | int64 | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// Limit resolves a limit field whose documentation gives a negative
// value a meaning: zero takes def, a negative value removes the limit or
// turns the mechanism off (0).
func Limit[T int | int64 | time.Duration](v, def T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// Settings are what a protocol's Server hands to Base once: its name,
// the fields that are not limits, and the resolved Limits.
type Settings struct {
	// Name prefixes log messages ("smtp").
	Name string
	// Domain is the host name the server announces; "" uses os.Hostname.
	Domain string
	Logger *slog.Logger
	// Debug receives the protocol exchange of every session, or is nil.
	Debug io.Writer
	Limits
}

// Base is the state every protocol Server keeps besides its Group: the
// resolved settings, the failed-login delay made from them, the host
// name looked up once and the lock that keeps Debug lines whole. The
// protocol's Server embeds a Base in an unexported field and reaches it
// through Setup, which resolves its fields on first use (RFC-bound
// defaults included), since they must not change once serving.
type Base struct {
	once     sync.Once
	settings Settings
	delay    *FailureDelay // nil when off
	hostname string
	debugMu  sync.Mutex
}

// Setup returns b, filled by resolve the first time it is called.
func (b *Base) Setup(resolve func() Settings) *Base {
	b.once.Do(func() {
		b.settings = resolve()
		if b.settings.Logger == nil {
			b.settings.Logger = slog.New(slog.DiscardHandler)
		}
		b.hostname = b.settings.Domain
		if b.hostname == "" {
			b.hostname = "localhost"
			if h, err := os.Hostname(); err == nil {
				b.hostname = h
			}
		}
		lim := &b.settings.Limits
		if lim.AuthFailureDelay > 0 {
			b.delay = &FailureDelay{Base: lim.AuthFailureDelay, Max: lim.MaxAuthFailureDelay,
				Reset: lim.AuthFailureReset, MaxAddrs: lim.MaxAuthFailureAddrs}
		}
	})
	return b
}

// Settings returns what Setup resolved.
func (b *Base) Settings() *Settings { return &b.settings }

// Domain returns the Domain setting, or the host name looked up once.
func (b *Base) Domain() string { return b.hostname }

// Logger returns the logger; one that discards when none was set.
func (b *Base) Logger() *slog.Logger { return b.settings.Logger }

// FailureDelay returns the failed-login delay, or nil when it is off.
func (b *Base) FailureDelay() *FailureDelay { return b.delay }
