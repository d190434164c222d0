// Package clientconn holds what the smtp, pop3 and imap clients do alike
// with their connection before and around the protocol: dialling with or
// without implicit TLS (RFC 8314 section 3.3), naming the server for
// certificate verification, upgrading in place after STARTTLS or STLS
// (RFC 3207 section 4, RFC 2595 section 4, RFC 3501 section 6.2.1), and
// telling whether credentials may be sent (RFC 4954 section 4, RFC 2595
// section 2.2, RFC 3501 section 11.1).
package clientconn

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
)

// Dial connects to addr ("host:port") over TCP, in TLS from the first
// octet when implicitTLS is set, and returns the connection and the host
// part of addr, which later upgrades verify. cfg, or a default
// configuration, verifies the host unless it names another ServerName.
func Dial(ctx context.Context, addr string, cfg *tls.Config, implicitTLS bool) (net.Conn, string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, "", err
	}
	var conn net.Conn
	if implicitTLS {
		d := tls.Dialer{Config: WithServerName(cfg, host)}
		conn, err = d.DialContext(ctx, "tcp", addr)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, "", err
	}
	return conn, host, nil
}

// WithServerName returns cfg, or a copy of it, that verifies host; a nil
// cfg is a default configuration.
func WithServerName(cfg *tls.Config, host string) *tls.Config {
	if cfg == nil {
		return &tls.Config{ServerName: host}
	}
	if cfg.ServerName == "" && !cfg.InsecureSkipVerify {
		cfg = cfg.Clone()
		cfg.ServerName = host
	}
	return cfg
}

// ErrNoServerName is wrapped by UpgradeConfig's error for a
// configuration that cannot verify anything: no ServerName, no dialled
// host and verification not turned off.
var ErrNoServerName = errors.New("tls.Config needs ServerName")

// UpgradeConfig returns the configuration for an upgrade of a connection
// to host: cfg, else fallback (the client's own TLSConfig), with host as
// ServerName when neither names one.
func UpgradeConfig(cfg, fallback *tls.Config, host string) (*tls.Config, error) {
	if cfg == nil {
		cfg = fallback
	}
	cfg = WithServerName(cfg, host)
	if cfg.ServerName == "" && !cfg.InsecureSkipVerify {
		return nil, ErrNoServerName
	}
	return cfg, nil
}

// Handshake runs the TLS client handshake on conn after the server
// accepted STARTTLS or STLS. buffered is how many octets the client has
// read past the server's answer: they would be taken as if they came over
// TLS, a man in the middle injecting responses (RFC 3207 section 6, RFC
// 2595 section 4), so they fail the upgrade. prefix names the protocol
// and verb the command in the errors.
func Handshake(ctx context.Context, conn net.Conn, cfg *tls.Config, buffered int, prefix, verb string) (*tls.Conn, error) {
	if buffered > 0 {
		return nil, fmt.Errorf("%s: server sent data after its %s answer", prefix, verb)
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, fmt.Errorf("%s: TLS handshake: %w", prefix, err)
	}
	return tc, nil
}

// Private reports a connection that an eavesdropper on the network
// cannot read: TLS, a loopback address, or one that is not IP at all (a
// pipe or a Unix socket). Clients send credentials only over one unless
// told otherwise.
func Private(conn net.Conn) bool {
	if _, ok := conn.(*tls.Conn); ok {
		return true
	}
	switch a := conn.RemoteAddr().(type) {
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UDPAddr, *net.IPAddr:
		return false
	}
	return true
}
