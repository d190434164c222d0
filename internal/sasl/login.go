package sasl

import "bytes"

// LOGIN is not an RFC; it is described by draft-murchison-sasl-login and is
// still what Outlook and many older clients use. The server prompts
// "Username:" then "Password:"; the client answers each in turn.

type loginClient struct {
	username, password string
	step               int
}

// NewLoginClient returns a LOGIN client.
func NewLoginClient(username, password string) Client {
	return &loginClient{username: username, password: password}
}

func (c *loginClient) Start() (string, []byte, error) { return Login, nil, nil }

// Next answers the prompts in order; servers differ in their prompt text
// ("Username:", "User Name", ...), so it is matched loosely and the order
// decides when the prompt is not recognised.
func (c *loginClient) Next(challenge []byte) ([]byte, error) {
	c.step++
	lower := bytes.ToLower(challenge)
	switch {
	case bytes.HasPrefix(lower, []byte("user")):
		return []byte(c.username), nil
	case bytes.HasPrefix(lower, []byte("pass")):
		return []byte(c.password), nil
	case c.step == 1:
		return []byte(c.username), nil
	case c.step == 2:
		return []byte(c.password), nil
	}
	return nil, ErrUnexpected
}

// LoginAuthenticator checks LOGIN credentials.
type LoginAuthenticator func(username, password string) error

type loginServer struct {
	auth     LoginAuthenticator
	username []byte
	step     int
}

// NewLoginServer returns a LOGIN server. A client may send the username as
// an initial response (RFC 4954 allows it for any mechanism).
func NewLoginServer(auth LoginAuthenticator) Server { return &loginServer{auth: auth} }

func (s *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch s.step {
	case 0:
		s.step++
		if resp == nil {
			return []byte("Username:"), false, nil
		}
		fallthrough
	case 1:
		s.step = 2
		s.username = append([]byte(nil), resp...)
		return []byte("Password:"), false, nil
	case 2:
		s.step = 3
		if err := s.auth(string(s.username), string(resp)); err != nil {
			return nil, false, err
		}
		return nil, true, nil
	}
	return nil, false, ErrUnexpected
}
