package main

import (
	"crypto/tls"
	"errors"
)

// loadTLS reads the certificate and key for STARTTLS (RFC 3207), STLS
// (RFC 2595) and the implicit-TLS ports (RFC 8314). Neither file given
// means no TLS; one without the other is a mistake worth stopping for.
func loadTLS(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" && keyFile == "" {
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, errors.New("-tls-cert and -tls-key go together")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	// RFC 8314 section 4.1 asks for TLS 1.2 or later.
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
