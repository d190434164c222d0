package sasl

import "bytes"

// plainClient implements PLAIN (RFC 4616 section 2): one initial response
// "authzid NUL authcid NUL passwd".
type plainClient struct{ identity, username, password string }

// NewPlainClient returns a PLAIN client. identity is the authorization
// identity and is usually empty (act as username).
func NewPlainClient(identity, username, password string) Client {
	return &plainClient{identity, username, password}
}

func (c *plainClient) Start() (string, []byte, error) {
	ir := make([]byte, 0, len(c.identity)+len(c.username)+len(c.password)+2)
	ir = append(ir, c.identity...)
	ir = append(ir, 0)
	ir = append(ir, c.username...)
	ir = append(ir, 0)
	ir = append(ir, c.password...)
	return Plain, ir, nil
}

func (c *plainClient) Next([]byte) ([]byte, error) { return nil, ErrUnexpected }

// PlainAuthenticator checks PLAIN credentials. identity is the requested
// authorization identity, empty when the client asked for none.
type PlainAuthenticator func(identity, username, password string) error

type plainServer struct {
	auth PlainAuthenticator
	done bool
}

// NewPlainServer returns a PLAIN server that asks for the credentials with an
// empty challenge when the client sent no initial response (RFC 4616 section 2).
func NewPlainServer(auth PlainAuthenticator) Server { return &plainServer{auth: auth} }

func (s *plainServer) Next(resp []byte) ([]byte, bool, error) {
	if s.done {
		return nil, false, ErrUnexpected
	}
	if resp == nil {
		return []byte{}, false, nil
	}
	s.done = true
	parts := bytes.Split(resp, []byte{0})
	if len(parts) != 3 || len(parts[1]) == 0 {
		return nil, false, ErrMalformed
	}
	if err := s.auth(string(parts[0]), string(parts[1]), string(parts[2])); err != nil {
		return nil, false, err
	}
	return nil, true, nil
}
