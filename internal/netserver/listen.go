package netserver

import (
	"crypto/tls"
	"errors"
	"net"
)

// ListenTLS listens on addr for implicit TLS (RFC 8314 section 3). certFile
// and keyFile, when given, are loaded into a copy of cfg; otherwise cfg
// must hold a certificate. The handshake happens on the first read, in the
// session's goroutine.
func ListenTLS(addr string, cfg *tls.Config, certFile, keyFile string) (net.Listener, error) {
	c := &tls.Config{}
	if cfg != nil {
		c = cfg.Clone()
	}
	if certFile != "" || keyFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		c.Certificates = append(c.Certificates, cert)
	}
	if len(c.Certificates) == 0 && c.GetCertificate == nil && c.GetConfigForClient == nil {
		return nil, errors.New("implicit TLS needs a certificate")
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return tls.NewListener(l, c), nil
}
