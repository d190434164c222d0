package pop3

import (
	"context"
	"testing"

	"github.com/mailwire/mailwire/internal/sasl/sasltest"
	"github.com/mailwire/mailwire/internal/servertest"
)

// tokenBackend adds a SASL mechanism of its own, X-TOKEN (sasltest.Token),
// to oneUser's PLAIN and LOGIN.
type tokenBackend struct{ oneUser }

func (tokenBackend) AuthMechanisms() []string { return []string{"X-TOKEN"} }

func (tokenBackend) Auth(_ context.Context, _ *Conn, mech string) (SASLServer, func() (Maildrop, error), error) {
	return &sasltest.Token{}, func() (Maildrop, error) { return emptyMaildrop{}, nil }, nil
}

// TestSASLBackend_RFC5034_4 advertises and runs a backend's own mechanism
// after an empty initial response, next to PLAIN and LOGIN.
func TestSASLBackend_RFC5034_4(t *testing.T) {
	srv := &Server{Backend: tokenBackend{}, AllowInsecureAuth: true, AuthFailureDelay: -1}
	x := servertest.Raw(t, servertest.Serve(t, srv))
	x.Expect(t, "", "+OK "+srv.domain()+" POP3 server ready")
	x.Expect(t, "CAPA", "+OK Capability list follows", "TOP", "UIDL", "RESP-CODES", "PIPELINING",
		"AUTH-RESP-CODE", "USER", "SASL X-TOKEN PLAIN LOGIN", "UTF8", "IMPLEMENTATION mailwire", ".")
	x.Expect(t, "AUTH x-token", "+ dG9rZW4/")
	x.Expect(t, "YWxpY2U6d3Jvbmc=", "-ERR [AUTH] Authentication failed") // alice:wrong
	x.Expect(t, "AUTH X-TOKEN", "+ dG9rZW4/")
	x.Expect(t, "YWxpY2U6dDBrM24=", "+OK Maildrop has 0 messages (0 octets)") // alice:t0k3n
	x.Expect(t, "QUIT", "+OK "+srv.domain()+" POP3 server signing off (maildrop empty)")
}
