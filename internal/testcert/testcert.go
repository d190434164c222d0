// Package testcert makes a self-signed certificate at run time, so that
// tests and the test servers (smtptest, pop3test, imaptest) can offer TLS
// without shipping a key.
package testcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"time"
)

// Pair is a server certificate and a pool that trusts it.
type Pair struct {
	Certificate tls.Certificate
	Roots       *x509.CertPool
	// PEM encodings, for peers that read files (Dovecot, Postfix).
	CertPEM, KeyPEM []byte
}

// New returns a certificate for localhost, 127.0.0.1 and ::1 and the given
// extra DNS names, valid for one day.
func New(names ...string) (*Pair, error) {
	return issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "mailwire test"},
		NotAfter:    time.Now().Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    append([]string{"localhost"}, names...),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	})
}

// Client returns a client certificate whose subject common name is name,
// valid for one hour: what a client presents for SASL EXTERNAL (RFC 4422
// appendix A). Roots is then the server's tls.Config.ClientCAs.
func Client(name string) (*Pair, error) {
	return issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: name},
		NotAfter:    time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
}

// issue completes tmpl as a self-signed CA certificate with a new P-256
// key and a random serial, valid from an hour ago (clock skew), and
// returns it with a pool that trusts it.
func issue(tmpl *x509.Certificate) (*Pair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber, err = rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, err
	}
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign
	tmpl.BasicConstraintsValid, tmpl.IsCA = true, true
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return &Pair{
		Certificate: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		Roots:       roots,
		CertPEM:     pemBlock("CERTIFICATE", der),
		KeyPEM:      pemBlock("EC PRIVATE KEY", keyDER),
	}, nil
}

// ServerConfig returns a server tls.Config using the certificate.
func (p *Pair) ServerConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{p.Certificate}}
}

// ClientConfig returns a client tls.Config that trusts only the certificate.
func (p *Pair) ClientConfig() *tls.Config {
	return &tls.Config{RootCAs: p.Roots, ServerName: "localhost"}
}
