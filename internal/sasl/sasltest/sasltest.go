// Package sasltest makes what the SASL tests of smtp, pop3 and imap need
// besides the server certificate of internal/testcert: a TLS client
// certificate for EXTERNAL (RFC 4422 appendix A).
package sasltest

import (
	"crypto/tls"
	"crypto/x509"

	"github.com/mailwire/mailwire/internal/testcert"
)

// ClientCertificate returns a self-signed client certificate whose
// subject common name is name, valid for one hour, and a pool that
// trusts it: the server's tls.Config.ClientCAs, with ClientAuth set to
// tls.VerifyClientCertIfGiven or tls.RequireAndVerifyClientCert.
func ClientCertificate(name string) (tls.Certificate, *x509.CertPool, error) {
	p, err := testcert.Client(name)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return p.Certificate, p.Roots, nil
}
