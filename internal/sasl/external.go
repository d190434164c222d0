package sasl

import (
	"crypto/tls"
	"errors"
	"strings"
	"unicode/utf8"
)

// externalClient implements EXTERNAL (RFC 4422 appendix A.1): one
// response, the requested authorization identity, possibly empty.
type externalClient struct{ authzid string }

// NewExternalClient returns an EXTERNAL client. An empty authzid asks to
// act as the identity the server associates with the client's
// credentials, such as its TLS client certificate.
func NewExternalClient(authzid string) Client { return &externalClient{authzid} }

func (c *externalClient) Start() (string, []byte, error) {
	if !utf8.ValidString(c.authzid) || strings.IndexByte(c.authzid, 0) >= 0 {
		return "", nil, errors.New("sasl: EXTERNAL authzid must be UTF-8 without NUL")
	}
	return External, []byte(c.authzid), nil
}

// Next answers the server's empty challenge when the initial response
// could not be sent with the command (RFC 4422 appendix A.1).
func (c *externalClient) Next([]byte) ([]byte, error) { return nil, ErrUnexpected }

// ExternalAuthenticator decides an EXTERNAL exchange from the TLS
// connection state, whose VerifiedChains hold the client certificate
// chains crypto/tls verified, and the requested authzid (empty: the
// identity of the certificate). It returns the identity the session gets.
type ExternalAuthenticator func(cs *tls.ConnectionState, authzid string) (identity string, err error)

// ErrNoClientCertificate fails EXTERNAL on a connection without a
// verified TLS client certificate: the client has not established its
// credentials by external means (RFC 4422 appendix A.1).
var ErrNoClientCertificate = errors.New("sasl: EXTERNAL needs a verified TLS client certificate")

type externalServer struct {
	cs       *tls.ConnectionState
	auth     ExternalAuthenticator
	step     int
	identity string
}

// NewExternalServer returns an EXTERNAL server for a connection with TLS
// state cs (nil without TLS). The server must request client
// certificates (tls.Config.ClientAuth VerifyClientCertIfGiven or
// RequireAndVerifyClientCert): auth is called only when crypto/tls
// verified one.
func NewExternalServer(cs *tls.ConnectionState, auth ExternalAuthenticator) Server {
	return &externalServer{cs: cs, auth: auth}
}

// Identity is the identity auth returned, once the exchange succeeded.
func (s *externalServer) Identity() string { return s.identity }

// Next takes the authzid (RFC 4422 appendix A.1); without an initial
// response it first sends an empty challenge.
func (s *externalServer) Next(resp []byte) ([]byte, bool, error) {
	switch {
	case s.step > 0:
		return nil, false, ErrUnexpected
	case resp == nil && s.step == 0:
		s.step = -1 // the next call brings the response
		return []byte{}, false, nil
	}
	s.step = 1
	if resp == nil {
		return nil, false, ErrMalformed
	}
	authzid := string(resp)
	if !utf8.ValidString(authzid) || strings.IndexByte(authzid, 0) >= 0 {
		return nil, false, ErrMalformed
	}
	if s.cs == nil || len(s.cs.VerifiedChains) == 0 {
		return nil, false, ErrNoClientCertificate
	}
	id, err := s.auth(s.cs, authzid)
	if err != nil {
		return nil, false, err
	}
	if id == "" {
		return nil, false, errors.New("sasl: EXTERNAL gave no identity")
	}
	s.identity = id
	return nil, true, nil
}
