package imap

import "github.com/mailwire/mailwire/internal/netserver"

// limits are the Server's limit fields with the defaults applied: the
// limits the three servers share (netserver.Limits) and IMAP's own. A
// zero field takes its Default constant (netserver.Or); the fields
// documented to take a negative value resolve with netserver.Limit, 0
// then meaning no limit or off.
type limits struct {
	netserver.Limits
	MaxLiteralSize int64
	MaxDepth       int
	MaxSeqRanges   int
	// MaxAuthLineLength bounds an AUTHENTICATE response line.
	MaxAuthLineLength int
}

// resolve applies the defaults to the fields, once (see core).
func (srv *Server) resolve() netserver.Settings {
	srv.lim = limits{
		Limits: netserver.Limits{
			MaxLineLength:         netserver.Or(srv.MaxLineLength, DefaultMaxLineLength),
			MaxErrors:             netserver.Or(srv.MaxErrors, DefaultMaxErrors),
			MaxAuthFailures:       netserver.Or(srv.MaxAuthFailures, DefaultMaxAuthFailures),
			MaxConnections:        netserver.Or(srv.MaxConnections, DefaultMaxConnections),
			MaxConnectionsPerAddr: netserver.Limit(srv.MaxConnectionsPerAddr, DefaultMaxConnectionsPerAddr),
			CommandTimeout:        netserver.Or(srv.CommandTimeout, DefaultCommandTimeout),
			LoginTimeout:          netserver.Or(srv.LoginTimeout, DefaultLoginTimeout),
			WriteTimeout:          netserver.Or(srv.WriteTimeout, DefaultWriteTimeout),
			TLSHandshakeTimeout:   netserver.Or(srv.TLSHandshakeTimeout, DefaultTLSHandshakeTimeout),
			AuthFailureDelay:      netserver.Limit(srv.AuthFailureDelay, DefaultAuthFailureDelay),
			MaxAuthFailureDelay:   netserver.Or(srv.MaxAuthFailureDelay, DefaultMaxAuthFailureDelay),
			AuthFailureReset:      netserver.Or(srv.AuthFailureReset, DefaultAuthFailureReset),
			MaxAuthFailureAddrs:   netserver.Or(srv.MaxAuthFailureAddrs, DefaultMaxAuthFailureAddrs),
		},
		MaxLiteralSize:    netserver.Or(srv.MaxLiteralSize, DefaultMaxLiteralSize),
		MaxDepth:          netserver.Or(srv.MaxDepth, DefaultMaxDepth),
		MaxSeqRanges:      netserver.Or(srv.MaxSeqRanges, DefaultMaxSeqRanges),
		MaxAuthLineLength: netserver.Or(srv.MaxAuthLineLength, DefaultMaxAuthLineLength),
	}
	return netserver.Settings{Name: "imap", Logger: srv.Logger, Debug: srv.Debug, Limits: srv.lim.Limits}
}
