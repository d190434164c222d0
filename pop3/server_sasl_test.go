package pop3_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3mem"
	"github.com/mailwire/mailwire/pop3/pop3test"
)

// pop3SASL describes the Client to servertest's SASL families.
var pop3SASL = servertest.SASL[*pop3.Client]{
	Dial: func(ctx context.Context, addr string, cleartext bool) (*pop3.Client, error) {
		return pop3.Dial(ctx, addr, &pop3.Options{InsecureAuth: cleartext})
	},
	StartTLS: (*pop3.Client).StartTLS, Close: (*pop3.Client).Close,
	Mechanisms: func(c *pop3.Client, ctx context.Context) ([]string, error) {
		caps, err := c.Capa(ctx)
		return caps["SASL"], err
	},
	Auth: (*pop3.Client).Auth, Login: (*pop3.Client).Login,
	LoggedIn: func(c *pop3.Client) bool { return c.State() == pop3.StateTransaction },
	Use: func(c *pop3.Client, ctx context.Context) error {
		if n, _, err := c.Stat(ctx); err != nil || n != 1 {
			return fmt.Errorf("STAT: %d messages, %v", n, err)
		}
		return nil
	},
	End:    (*pop3.Client).Quit,
	SHA256: pop3.ScramSHA256Auth, SHA1: pop3.ScramSHA1Auth, SHA256Plus: pop3.ScramSHA256PlusAuth, SHA1Plus: pop3.ScramSHA1PlusAuth,
	External: pop3.ExternalAuth, OAuthBearer: pop3.OAuthBearerAuth,
	Reply:      (*pop3.Response)(nil),
	AuthFailed: "-ERR [AUTH] Authentication failed", Unsupported: "-ERR Unrecognized authentication mechanism",
	CertTokenServer: func(cfg *tls.Config) servertest.Servable {
		store := &pop3mem.Store{}
		store.AddUser("alice", "pencil")
		return &pop3.Server{Backend: certTokenBackend{store, servertest.CertToken{Scope: "pop3"}}, TLSConfig: cfg, AllowInsecureAuth: true, AuthFailureDelay: -1}
	},
}

// certTokenBackend adds EXTERNAL and OAUTHBEARER (servertest.CertToken)
// to pop3mem.
type certTokenBackend struct {
	*pop3mem.Store
	servertest.CertToken
}

// TestServer_SCRAM_RFC5802_RFC7677 runs the Client's SCRAM mechanisms
// against the Server over pop3mem's verifiers (servertest.SCRAM), -PLUS
// after STLS.
func TestServer_SCRAM_RFC5802_RFC7677(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithTLS(), pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "pencil", aliceMessage))
	servertest.SCRAM(t, pop3SASL, ts.Addr, ts.ClientTLSConfig)
}

// aliceMessage is alice's one message.
var aliceMessage = []byte("Subject: hi\r\n\r\nhello\r\n")

// TestServer_SCRAM_Failures_RFC5802_9: a wrong password and an unknown
// user fail alike, -ERR [AUTH] after the failed-login delay, so that
// names cannot be probed; the session stays in AUTHORIZATION.
func TestServer_SCRAM_Failures_RFC5802_9(t *testing.T) {
	const delay = 100 * time.Millisecond
	ts := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "pencil", aliceMessage),
		pop3test.WithServer(func(s *pop3.Server) { s.AuthFailureDelay = delay }))
	servertest.SCRAMFailures(t, pop3SASL, ts.Addr, delay)
}

// rawSession talks to addr line by line, once greeted: it sends a line
// (unless empty) and checks the lines that come back (servertest.Match).
func rawSession(t *testing.T, addr string) func(send string, want ...string) {
	x := servertest.Raw(t, addr)
	x.Expect(t, "", "+OK*")
	return func(send string, want ...string) {
		t.Helper()
		x.Expect(t, send, want...)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestServer_SASL_CancelAndBase64_RFC5034_4: "*" cancels an exchange,
// before and after the server-first-message, and bad base64 is refused,
// each with a plain -ERR and no failed-login delay; the session goes on.
func TestServer_SASL_CancelAndBase64_RFC5034_4(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "pencil"),
		pop3test.WithServer(func(s *pop3.Server) { s.AuthFailureDelay = time.Hour }))
	x := rawSession(t, ts.Addr)
	x("AUTH SCRAM-SHA-256", "+ ")
	x("*", "-ERR Authentication cancelled")
	x("AUTH SCRAM-SHA-256 "+b64("n,,n=alice,r=abcdefghijklmnop"), "+ *") // the server-first-message
	x("*", "-ERR Authentication cancelled")
	x("AUTH SCRAM-SHA-1 not-base64", "-ERR Invalid base64 in initial response")
	x("AUTH SCRAM-SHA-1", "+ ")
	x("not-base64", "-ERR Invalid base64 response")
	x("AUTH PLAIN "+b64("\x00alice\x00pencil"), "+OK Maildrop has 0 messages (0 octets)")
}

// TestServer_EXTERNAL_RFC4422_A: EXTERNAL is offered, and succeeds, only
// over TLS with a verified client certificate; an authzid the backend
// does not permit fails as a login does, -ERR [AUTH], and where it is
// not offered it is an unrecognized mechanism.
func TestServer_EXTERNAL_RFC4422_A(t *testing.T) { servertest.External(t, pop3SASL) }

// TestServer_OAUTHBEARER_RFC7628_3_2: a good token logs in; a bad one
// gets the server's JSON error as a challenge, the client's dummy
// response "\x01", then -ERR [AUTH] (RFC 7628 sections 3.2.2 and 3.2.3).
func TestServer_OAUTHBEARER_RFC7628_3_2(t *testing.T) {
	x := rawSession(t, servertest.OAuthBearer(t, pop3SASL))
	x("AUTH OAUTHBEARER "+b64("n,a=alice,\x01auth=Bearer bad-token\x01\x01"), "+ "+b64(`{"status":"invalid_token","scope":"pop3"}`))
	x("AQ==", "-ERR [AUTH] Authentication failed")
	x("AUTH OAUTHBEARER "+b64("n,a=alice,\x01auth=Bearer good-token\x01\x01"), "+OK Maildrop has 0 messages (0 octets)")
}
