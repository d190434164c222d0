package imap

import (
	"testing"

	"github.com/mailwire/mailwire/internal/netserver"
	"github.com/mailwire/mailwire/internal/netserver/limitstest"
)

// TestServer_LimitDefaults: every limit field of the Server left zero
// takes its Default constant, and a value set is used; every resolved
// limit has a Default in the table (limitstest.Fields) and a Server field
// (the same test in smtp and pop3).
func TestServer_LimitDefaults(t *testing.T) {
	limitstest.Check(t, func() any { return &Server{} }, func(s any) any { return s.(*Server).limits() }, limitstest.Fields(t, limits{
		MaxLiteralSize: DefaultMaxLiteralSize, MaxDepth: DefaultMaxDepth, MaxSeqRanges: DefaultMaxSeqRanges,
		Limits: netserver.Limits{MaxLineLength: DefaultMaxLineLength, MaxAuthLineLength: DefaultMaxAuthLineLength, MaxErrors: DefaultMaxErrors, MaxAuthFailures: DefaultMaxAuthFailures,
			MaxConnections: DefaultMaxConnections, MaxConnectionsPerAddr: DefaultMaxConnectionsPerAddr,
			CommandTimeout: DefaultCommandTimeout, LoginTimeout: DefaultLoginTimeout, WriteTimeout: DefaultWriteTimeout,
			TLSHandshakeTimeout: DefaultTLSHandshakeTimeout, AuthFailureDelay: DefaultAuthFailureDelay, MaxAuthFailureDelay: DefaultMaxAuthFailureDelay,
			AuthFailureReset: DefaultAuthFailureReset, MaxAuthFailureAddrs: DefaultMaxAuthFailureAddrs}}))
}
