package imap

import "github.com/mailwire/mailwire/internal/netserver"

// limits are the Server's limit fields with the defaults applied: the
// limits the three servers share (netserver.Limits, read from the
// Server's fields of the same names) and IMAP's own. A zero field takes
// its Default constant (netserver.Or); the fields documented to take a
// negative value resolve with netserver.Limit, 0 then meaning no limit
// or off. netserver holds the shared defaults that are the same in the
// three servers; the limits test holds them equal to the constants.
type limits struct {
	netserver.Limits
	MaxLiteralSize int64
	MaxDepth       int
	MaxSeqRanges   int
	// MaxAuthLineLength bounds an AUTHENTICATE response line.
	MaxAuthLineLength int
}

// defaults are the Default constants of the shared limits whose value
// is IMAP's own; netserver gives the others.
var defaults = netserver.Limits{
	MaxLineLength: DefaultMaxLineLength, MaxErrors: DefaultMaxErrors,
	CommandTimeout: DefaultCommandTimeout, LoginTimeout: DefaultLoginTimeout,
}

// resolve applies the defaults to the fields, once (see core).
func (srv *Server) resolve() netserver.Settings {
	srv.lim = limits{
		Limits:            netserver.Given(srv).Resolve(defaults),
		MaxLiteralSize:    netserver.Or(srv.MaxLiteralSize, DefaultMaxLiteralSize),
		MaxDepth:          netserver.Or(srv.MaxDepth, DefaultMaxDepth),
		MaxSeqRanges:      netserver.Or(srv.MaxSeqRanges, DefaultMaxSeqRanges),
		MaxAuthLineLength: netserver.Or(srv.MaxAuthLineLength, DefaultMaxAuthLineLength),
	}
	return netserver.Settings{Name: "imap", Logger: srv.Logger, Debug: srv.Debug, Limits: srv.lim.Limits}
}
