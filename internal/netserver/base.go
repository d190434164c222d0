package netserver

import (
	"io"
	"log/slog"
	"os"
	"sync"
)

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
// name looked up once and the lock that keeps Debug lines whole. Server
// embeds it; Setup resolves the protocol Server's fields on first use
// (RFC-bound defaults included), since they must not change once
// serving.
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
