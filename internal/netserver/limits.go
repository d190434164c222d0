package netserver

import (
	"reflect"
	"time"
)

// Limits are the limit fields that the SMTP, POP3 and IMAP Servers all
// have, under the same names and with the same meaning, once resolved
// (Resolve): each protocol package exports a Default constant per field,
// documented for its protocol, and embeds Limits in the struct of its
// resolved limits. A field tagged negative:"off" is one whose Server
// field takes a negative value to remove the limit or turn the
// mechanism off; it then resolves to 0.
type Limits struct {
	// MaxLineLength bounds one command line, line end included.
	MaxLineLength int
	// MaxAuthLineLength bounds a SASL response line, line end included.
	MaxAuthLineLength int
	// MaxErrors is how many refused commands a session may send before
	// the server closes it.
	MaxErrors int

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

	// MaxConnections bounds the sessions served at once.
	MaxConnections int
	// MaxConnectionsPerAddr bounds the sessions of one client (AddrKey)
	// at once; 0 means no bound.
	MaxConnectionsPerAddr int `negative:"off"`

	// MaxAuthFailures is how many failed logins a session may make
	// before the server closes it.
	MaxAuthFailures int
	// The failed-login delay (FailureDelay); AuthFailureDelay 0 turns it
	// off.
	AuthFailureDelay    time.Duration `negative:"off"`
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

// Resolve fills lim, a protocol's resolved limits (a struct that embeds
// Limits and adds the protocol's own limits), from the fields of the same
// names of server, a pointer to the protocol's Server: each field is
// resolved against its default in def with Or, or with Limit when tagged
// negative:"off". def holds the protocol's Default constants; a field of
// the embedded Limits that def leaves zero takes the default the three
// servers share (defaults.go). Reading the Server's fields by name keeps
// the list of limits in one place, the struct; a Server without one of
// them is a programming error and panics.
func Resolve[L any](lim *L, server any, def L) {
	d := reflect.ValueOf(&def).Elem()
	if sh := d.FieldByName("Limits"); sh.IsValid() {
		for i := range sh.NumField() {
			if sh.Field(i).IsZero() {
				sh.Field(i).Set(reflect.ValueOf(shared).Field(i))
			}
		}
	}
	resolveFields(reflect.ValueOf(lim).Elem(), reflect.ValueOf(server).Elem(), d)
}

// resolveFields resolves the fields of dst, those of embedded structs in
// their place, from the fields of src of the same names and those of def.
func resolveFields(dst, src, def reflect.Value) {
	for i := range dst.NumField() {
		f := dst.Type().Field(i)
		if f.Anonymous {
			resolveFields(dst.Field(i), src, def.Field(i))
			continue
		}
		v, d := src.FieldByName(f.Name).Int(), def.Field(i).Int()
		if f.Tag.Get("negative") == "off" {
			dst.Field(i).SetInt(Limit(v, d))
		} else {
			dst.Field(i).SetInt(Or(v, d))
		}
	}
}
