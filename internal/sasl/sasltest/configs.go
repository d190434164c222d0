package sasltest

import (
	"crypto/tls"
	"errors"

	"github.com/mailwire/mailwire/internal/testcert"
)

// Configs are the TLS configurations of a protocol server's EXTERNAL
// test (RFC 4422 appendix A).
type Configs struct {
	// Server presents internal/testcert's certificate and verifies a
	// client certificate if one is given.
	Server *tls.Config
	// Client trusts the server; WithCert also presents alice's
	// certificate.
	Client, WithCert *tls.Config
}

// NewConfigs makes the configurations around a fresh certificate for
// alice.
func NewConfigs() (Configs, error) {
	pair, err := testcert.New()
	if err != nil {
		return Configs{}, err
	}
	cert, pool, err := ClientCertificate("alice")
	if err != nil {
		return Configs{}, err
	}
	c := Configs{Server: pair.ServerConfig(), Client: pair.ClientConfig(), WithCert: pair.ClientConfig()}
	c.Server.ClientAuth, c.Server.ClientCAs = tls.VerifyClientCertIfGiven, pool
	c.WithCert.Certificates = []tls.Certificate{cert}
	return c, nil
}

// ErrAuthzid refuses an authorization identity other than the
// certificate's.
var ErrAuthzid = errors.New("sasltest: authzid not permitted")

// CommonName is the EXTERNAL check of a test backend: the identity is
// the common name of cs's verified certificate, and authzid, if given,
// must be it.
func CommonName(cs *tls.ConnectionState, authzid string) (string, error) {
	cn := cs.VerifiedChains[0][0].Subject.CommonName
	if authzid != "" && authzid != cn {
		return "", ErrAuthzid
	}
	return cn, nil
}
