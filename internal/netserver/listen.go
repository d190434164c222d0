package netserver

import (
	"crypto/tls"
	"errors"
	"fmt"
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

// TLSFiles is what ListenAndServeTLS is given: the Server's TLSConfig
// and the certificate and key files to load into a copy of it.
type TLSFiles struct {
	Config            *tls.Config
	CertFile, KeyFile string
}

// ListenAndServe is the body of a protocol Server's ListenAndServe and,
// with tf set, of its ListenAndServeTLS (implicit TLS, RFC 8314 section
// 3): after Shutdown or Close it returns errClosed at once; otherwise it
// listens on addr and hands the listener to serve. Errors of the TLS
// setup are prefixed with name.
func (g *Group[S]) ListenAndServe(name, addr string, tf *TLSFiles, serve func(net.Listener) error, errClosed error) error {
	if g.ShuttingDown() {
		return errClosed
	}
	var l net.Listener
	var err error
	if tf == nil {
		l, err = net.Listen("tcp", addr)
	} else if l, err = ListenTLS(addr, tf.Config, tf.CertFile, tf.KeyFile); err != nil {
		err = fmt.Errorf("%s: %w", name, err)
	}
	if err != nil {
		return err
	}
	return serve(l)
}
