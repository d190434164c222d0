package sasltest

import (
	"errors"
	"strings"
)

// Token is the server side of X-TOKEN, the mechanism of its own that a
// test backend adds to show that a backend can (RFC 4422 section 3.1):
// the server challenges "token?", the client answers "user:token", and
// the token "t0k3n" authenticates user. The zero value is ready to use.
type Token struct{ user string }

// Next is sasl.Server's.
func (e *Token) Next(resp []byte) ([]byte, bool, error) {
	if resp == nil {
		return []byte("token?"), false, nil
	}
	user, token, _ := strings.Cut(string(resp), ":")
	if token != "t0k3n" {
		return nil, false, errors.New("bad token")
	}
	e.user = user
	return nil, true, nil
}

// Identity returns the user authenticated, once Next said done.
func (e *Token) Identity() string { return e.user }
