package imap

import (
	"testing"

	"github.com/mailwire/mailwire/internal/netserver/limitstest"
)

// TestServer_LimitDefaults: every limit field of the Server left zero
// takes its Default constant, and a value set is used; every resolved
// limit has a field and a Default (the same test in smtp and pop3).
func TestServer_LimitDefaults(t *testing.T) {
	limitstest.Check(t, func() any { return &Server{} }, func(s any) any { return s.(*Server).limits() }, []limitstest.Field{
		{Name: "MaxLineLength", Default: DefaultMaxLineLength},
		{Name: "MaxErrors", Default: DefaultMaxErrors},
		{Name: "MaxAuthFailures", Default: DefaultMaxAuthFailures},
		{Name: "MaxConnections", Default: DefaultMaxConnections},
		{Name: "MaxConnectionsPerAddr", Default: DefaultMaxConnectionsPerAddr},
		{Name: "CommandTimeout", Default: DefaultCommandTimeout},
		{Name: "LoginTimeout", Default: DefaultLoginTimeout},
		{Name: "WriteTimeout", Default: DefaultWriteTimeout},
		{Name: "TLSHandshakeTimeout", Default: DefaultTLSHandshakeTimeout},
		{Name: "AuthFailureDelay", Default: DefaultAuthFailureDelay},
		{Name: "MaxAuthFailureDelay", Default: DefaultMaxAuthFailureDelay},
		{Name: "AuthFailureReset", Default: DefaultAuthFailureReset},
		{Name: "MaxAuthFailureAddrs", Default: DefaultMaxAuthFailureAddrs},
		{Name: "MaxLiteralSize", Default: int64(DefaultMaxLiteralSize)},
		{Name: "MaxDepth", Default: DefaultMaxDepth},
		{Name: "MaxSeqRanges", Default: DefaultMaxSeqRanges},
		{Name: "MaxAuthLineLength", Default: DefaultMaxAuthLineLength},
	})
}
