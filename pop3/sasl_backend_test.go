package pop3

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// tokenBackend adds a SASL mechanism of its own, X-TOKEN, whose single
// response is "user:token", to oneUser's PLAIN and LOGIN.
type tokenBackend struct{ oneUser }

func (tokenBackend) AuthMechanisms() []string { return []string{"X-TOKEN"} }

func (tokenBackend) Auth(_ context.Context, _ *Conn, mech string) (SASLServer, func() (Maildrop, error), error) {
	ex := &tokenExchange{}
	return ex, func() (Maildrop, error) { return emptyMaildrop{}, nil }, nil
}

type tokenExchange struct{ user string }

func (e *tokenExchange) Next(resp []byte) ([]byte, bool, error) {
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

func (e *tokenExchange) Identity() string { return e.user }

// TestSASLBackend_RFC5034_4 advertises and runs a backend's own mechanism
// after an empty initial response, next to PLAIN and LOGIN.
func TestSASLBackend_RFC5034_4(t *testing.T) {
	srv := &Server{Backend: tokenBackend{}, AllowInsecureAuth: true, AuthFailureDelay: -1}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	defer srv.Close()
	nc, err := net.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	defer nc.Close()
	br := bufio.NewReader(nc)
	exchange := func(send string, want ...string) {
		t.Helper()
		if send != "" {
			nc.Write([]byte(send + "\r\n"))
		}
		for _, w := range want {
			line, err := br.ReadString('\n')
			require.NoError(t, err)
			require.Equal(t, w, strings.TrimSuffix(line, "\r\n"))
		}
	}
	exchange("", "+OK "+srv.domain()+" POP3 server ready")
	exchange("CAPA", "+OK Capability list follows", "TOP", "UIDL", "RESP-CODES", "PIPELINING",
		"AUTH-RESP-CODE", "USER", "SASL X-TOKEN PLAIN LOGIN", "UTF8", "IMPLEMENTATION mailwire", ".")
	exchange("AUTH x-token", "+ dG9rZW4/")
	exchange("YWxpY2U6d3Jvbmc=", "-ERR [AUTH] Authentication failed") // alice:wrong
	exchange("AUTH X-TOKEN", "+ dG9rZW4/")
	exchange("YWxpY2U6dDBrM24=", "+OK Maildrop has 0 messages (0 octets)") // alice:t0k3n
	exchange("QUIT", "+OK "+srv.domain()+" POP3 server signing off (maildrop empty)")
}
