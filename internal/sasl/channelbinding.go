package sasl

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"

	_ "crypto/sha256" // the hashes tls-server-end-point may need
	_ "crypto/sha512"
)

// Channel binding type names (RFC 5056 section 7): the unique prefixes of
// RFC 9266 section 2 and RFC 5929 section 4.2.
const (
	TLSExporter       = "tls-exporter"
	TLSServerEndPoint = "tls-server-end-point"
)

// exporterLabel and exporterLength are the keying material exporter
// inputs of tls-exporter (RFC 9266 section 2); the context is empty.
const (
	exporterLabel  = "EXPORTER-Channel-Binding"
	exporterLength = 32
)

// ChannelBinding is the data that ties a SASL exchange to the TLS channel
// under it (RFC 5056): its type name and the octets both ends compute.
// SCRAM -PLUS sends the client's and checks it against the server's (RFC
// 5802 section 6).
type ChannelBinding struct {
	Type string
	Data []byte
}

// ErrNoChannelBinding reports a connection that yields no channel binding
// of the wanted type: no TLS, a TLS version or certificate for which the
// type is undefined.
var ErrNoChannelBinding = errors.New("sasl: no channel binding for this connection")

// ExporterBinding computes tls-exporter (RFC 9266 section 2). It is
// offered for TLS 1.3 only, where master secrets are always unique; for
// TLS 1.2 the RFC (section 4.2) asks for the extended master secret,
// which crypto/tls does not report, so this package leaves TLS 1.2 to
// tls-server-end-point.
func ExporterBinding(cs *tls.ConnectionState) (ChannelBinding, error) {
	if cs == nil || !cs.HandshakeComplete || cs.Version < tls.VersionTLS13 {
		return ChannelBinding{}, fmt.Errorf("%w: %s needs TLS 1.3", ErrNoChannelBinding, TLSExporter)
	}
	ekm, err := cs.ExportKeyingMaterial(exporterLabel, nil, exporterLength)
	if err != nil {
		return ChannelBinding{}, fmt.Errorf("%w: %v", ErrNoChannelBinding, err)
	}
	return ChannelBinding{Type: TLSExporter, Data: ekm}, nil
}

// EndPointBinding computes tls-server-end-point (RFC 5929 section 4.1):
// the hash of the server certificate's DER encoding, with the hash of its
// signature algorithm, SHA-256 in place of MD5 and SHA-1. Algorithms with
// no single hash (Ed25519) leave it undefined.
func EndPointBinding(cert *x509.Certificate) (ChannelBinding, error) {
	if cert == nil {
		return ChannelBinding{}, fmt.Errorf("%w: no server certificate", ErrNoChannelBinding)
	}
	h, ok := endPointHash(cert.SignatureAlgorithm)
	if !ok {
		return ChannelBinding{}, fmt.Errorf("%w: %s undefined for %v certificates", ErrNoChannelBinding, TLSServerEndPoint, cert.SignatureAlgorithm)
	}
	d := h.New()
	d.Write(cert.Raw)
	return ChannelBinding{Type: TLSServerEndPoint, Data: d.Sum(nil)}, nil
}

// endPointHash is the hash selection of RFC 5929 section 4.1.
func endPointHash(alg x509.SignatureAlgorithm) (crypto.Hash, bool) {
	switch alg {
	case x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1,
		x509.SHA256WithRSA, x509.SHA256WithRSAPSS, x509.DSAWithSHA256, x509.ECDSAWithSHA256:
		return crypto.SHA256, true
	case x509.SHA384WithRSA, x509.SHA384WithRSAPSS, x509.ECDSAWithSHA384:
		return crypto.SHA384, true
	case x509.SHA512WithRSA, x509.SHA512WithRSAPSS, x509.ECDSAWithSHA512:
		return crypto.SHA512, true
	}
	return 0, false
}

// ClientChannelBinding is the binding a client uses on cs: tls-exporter
// on TLS 1.3, the default there (RFC 9266 section 3), else
// tls-server-end-point of the certificate the server sent.
func ClientChannelBinding(cs *tls.ConnectionState) (ChannelBinding, error) {
	if cs == nil {
		return ChannelBinding{}, fmt.Errorf("%w: no TLS", ErrNoChannelBinding)
	}
	if cs.Version >= tls.VersionTLS13 {
		return ExporterBinding(cs)
	}
	if err := legacyResumed(cs); err != nil {
		return ChannelBinding{}, err
	}
	if len(cs.PeerCertificates) == 0 {
		return ChannelBinding{}, fmt.Errorf("%w: the server sent no certificate", ErrNoChannelBinding)
	}
	return EndPointBinding(cs.PeerCertificates[0])
}

// legacyResumed refuses a resumed TLS 1.2 session: RFC 7677 section 4
// allows -PLUS over TLS 1.2 only with the session hash extension or
// without resumption, and crypto/tls does not report the extension.
func legacyResumed(cs *tls.ConnectionState) error {
	if cs.Version < tls.VersionTLS13 && cs.DidResume {
		return fmt.Errorf("%w: resumed TLS 1.2 session (RFC 7677 section 4)", ErrNoChannelBinding)
	}
	return nil
}

// ServerChannelBindings lists the bindings a server can check on cs:
// tls-exporter on TLS 1.3, and tls-server-end-point when cert, the
// certificate the server presented, is known (ConfiguredCertificate). A
// server must accept the type the client picks (RFC 5802 section 6.1), so
// it offers every one it can compute; none means no -PLUS.
func ServerChannelBindings(cs *tls.ConnectionState, cert *tls.Certificate) []ChannelBinding {
	var out []ChannelBinding
	if cb, err := ExporterBinding(cs); err == nil {
		out = append(out, cb)
	}
	if cs == nil || !cs.HandshakeComplete || cert == nil || len(cert.Certificate) == 0 || legacyResumed(cs) != nil {
		return out
	}
	leaf := cert.Leaf
	if leaf == nil {
		var err error
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return out
		}
	}
	if cb, err := EndPointBinding(leaf); err == nil {
		out = append(out, cb)
	}
	return out
}

// ConfiguredCertificate returns the certificate a server with cfg
// presents when that does not depend on the client: exactly one entry in
// Certificates and no GetCertificate or GetConfigForClient. Otherwise it
// returns nil, since crypto/tls does not tell a server which certificate
// it sent, and such a server offers tls-exporter only.
func ConfiguredCertificate(cfg *tls.Config) *tls.Certificate {
	if cfg == nil || len(cfg.Certificates) != 1 || cfg.GetCertificate != nil || cfg.GetConfigForClient != nil {
		return nil
	}
	return &cfg.Certificates[0]
}

// bindingOf finds the binding of type name in cbs.
func bindingOf(cbs []ChannelBinding, name string) (ChannelBinding, bool) {
	for _, cb := range cbs {
		if cb.Type == name {
			return cb, true
		}
	}
	return ChannelBinding{}, false
}
