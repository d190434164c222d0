package imap_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/stretchr/testify/require"
)

// imapSASL describes the Client to servertest's SASL families.
var imapSASL = servertest.SASL[*imap.Client]{
	Dial:     func(ctx context.Context, addr string, _ bool) (*imap.Client, error) { return imap.Dial(ctx, addr, nil) },
	StartTLS: (*imap.Client).StartTLS, Close: (*imap.Client).Close,
	Mechanisms: func(c *imap.Client, ctx context.Context) ([]string, error) {
		caps, err := c.Capability(ctx)
		return caps.AuthMechanisms(), err
	},
	Auth: (*imap.Client).Authenticate, Login: (*imap.Client).Login,
	LoggedIn: func(c *imap.Client) bool { return c.State() == imap.StateAuthenticated },
	Use: func(c *imap.Client, ctx context.Context) error {
		_, err := c.Select(ctx, "INBOX", nil)
		return err
	},
	End:    (*imap.Client).Logout,
	SHA256: imap.ScramSHA256Auth, SHA1: imap.ScramSHA1Auth, SHA256Plus: imap.ScramSHA256PlusAuth, SHA1Plus: imap.ScramSHA1PlusAuth,
	External: imap.ExternalAuth, OAuthBearer: imap.OAuthBearerAuth,
	Reply: (*imap.StatusResponse)(nil), Unordered: true,
	AuthFailed:  "imap: NO [AUTHENTICATIONFAILED] Authentication failed",
	Unsupported: "imap: NO [CANNOT] *",
	CertTokenServer: func(cfg *tls.Config) servertest.Servable {
		store := imapmem.New()
		store.AddUser("alice", "pencil")
		return &imap.Server{Backend: certTokenBackend{store, servertest.CertToken{Scope: "imap"}}, TLSConfig: cfg, AllowInsecureAuth: true, AuthFailureDelay: -1}
	},
}

// certTokenBackend adds EXTERNAL and OAUTHBEARER (servertest.CertToken)
// to imapmem.
type certTokenBackend struct {
	*imapmem.Backend
	servertest.CertToken
}

// TestServer_SCRAM_RFC5802_RFC7677 runs the Client's SCRAM mechanisms
// against the Server over imapmem's verifiers (servertest.SCRAM):
// -PLUS is listed only over TLS (RFC 3501 section 6.2.2: AUTH= names
// what AUTHENTICATE can run).
func TestServer_SCRAM_RFC5802_RFC7677(t *testing.T) {
	ts := imaptest.NewServer(t, imaptest.WithTLS(), imaptest.WithInsecureAuth(), imaptest.WithUser("alice", "pencil"))
	servertest.SCRAM(t, imapSASL, ts.Addr, ts.ClientTLSConfig)
}

// TestServer_SCRAM_Failures_RFC5802_9: a wrong password and an unknown
// user fail alike, NO [AUTHENTICATIONFAILED] (RFC 5530 section 3) after
// the failed-login delay, so that names cannot be probed; the session
// stays not authenticated and LOGIN still works.
func TestServer_SCRAM_Failures_RFC5802_9(t *testing.T) {
	const delay = 100 * time.Millisecond
	ts := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithUser("alice", "pencil"),
		imaptest.WithServer(func(s *imap.Server) { s.AuthFailureDelay = delay }))
	servertest.SCRAMFailures(t, imapSASL, ts.Addr, delay)
}

// step sends one line of an AUTHENTICATE exchange and checks the line
// that comes back (servertest.Match: a want ending in "*" is a prefix).
func (s *rawSession) step(send, want string) {
	s.t.Helper()
	_, err := s.nc.Write([]byte(send + "\r\n"))
	require.NoError(s.t, err)
	line := s.line()
	require.True(s.t, servertest.Match(want, line), "got %q, want %q", line, want)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestServer_AUTHENTICATE_BAD_RFC3501_6_2_2: "*" cancels an exchange,
// before and after the server-first-message, and bad base64 in the
// initial response (RFC 4959 section 3) or a response, and a response
// line over MaxAuthLineLength, are refused, each with BAD and no
// failed-login delay; the session goes on.
func TestServer_AUTHENTICATE_BAD_RFC3501_6_2_2(t *testing.T) {
	ts := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithUser("alice", "pencil"),
		imaptest.WithServer(func(s *imap.Server) { s.AuthFailureDelay, s.MaxAuthLineLength = time.Hour, 100 }))
	x := dialRaw(t, ts.Addr)
	for _, step := range []struct{ send, want string }{
		{"a1 AUTHENTICATE SCRAM-SHA-256", "+ "},
		{"*", "a1 BAD Authentication cancelled"},
		{"a2 AUTHENTICATE SCRAM-SHA-256 " + b64("n,,n=alice,r=abcdefghijklmnop"), "+ *"}, // the server-first-message
		{"*", "a2 BAD Authentication cancelled"},
		{"a3 AUTHENTICATE SCRAM-SHA-1 not-base64", "a3 BAD Invalid base64 in SASL response"},
		{"a4 AUTHENTICATE SCRAM-SHA-1", "+ "},
		{"not-base64", "a4 BAD Invalid base64 in SASL response"},
		{"a5 AUTHENTICATE PLAIN", "+ "},
		{strings.Repeat("A", 200), "a5 BAD SASL response line too long"},
		{"a6 AUTHENTICATE CRAM-MD5", "a6 NO [CANNOT] Unsupported authentication mechanism"},
		{"a7 AUTHENTICATE PLAIN " + b64("\x00alice\x00pencil"), "a7 OK [CAPABILITY IMAP4rev1 *"},
	} {
		x.step(step.send, step.want)
	}
}

// loginOnlyBackend is a Backend with Login only, as before the SASL
// backends.
type loginOnlyBackend struct{ imap.Backend }

// TestServer_LoginOnlyBackend_RFC3501_6_2_2: a Backend without the SASL
// interfaces gets AUTH=PLAIN AUTH=LOGIN, over TLS too, and nothing else
// runs; with the store's SCRAM the same connection lists it first.
func TestServer_LoginOnlyBackend_RFC3501_6_2_2(t *testing.T) {
	for _, tc := range []struct {
		name    string
		backend func(*imapmem.Backend) imap.Backend
		caps    string
		scram   string
	}{
		{"Login only", func(b *imapmem.Backend) imap.Backend { return loginOnlyBackend{b} },
			"AUTH=PLAIN AUTH=LOGIN", "a2 NO [CANNOT] Unsupported authentication mechanism"},
		{"ScramBackend", func(b *imapmem.Backend) imap.Backend { return b },
			"AUTH=SCRAM-SHA-256 AUTH=SCRAM-SHA-1 AUTH=PLAIN AUTH=LOGIN", "+ *"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := imaptest.NewServer(t, imaptest.WithInsecureAuth(),
				imaptest.WithServer(func(s *imap.Server) { s.Backend = tc.backend(s.Backend.(*imapmem.Backend)) }))
			x := dialRaw(t, ts.Addr)
			untagged, _ := x.cmd("a1", "CAPABILITY")
			require.Equal(t, []string{"* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE " + tc.caps}, untagged)
			x.step("a2 AUTHENTICATE SCRAM-SHA-256", tc.scram)
		})
	}
}

// TestServer_EXTERNAL_RFC4422_A: EXTERNAL is offered, and succeeds, only
// over TLS with a verified client certificate; an authzid the backend
// does not permit fails as a login does, NO [AUTHENTICATIONFAILED], and
// where it is not offered it is refused NO [CANNOT].
func TestServer_EXTERNAL_RFC4422_A(t *testing.T) { servertest.External(t, imapSASL) }

// TestServer_OAUTHBEARER_RFC7628_3_2: a good token logs in; a bad one
// gets the server's JSON error as a continuation, the client's dummy
// response "\x01", then NO [AUTHENTICATIONFAILED] (RFC 7628 sections
// 3.2.2 and 3.2.3).
func TestServer_OAUTHBEARER_RFC7628_3_2(t *testing.T) {
	x := dialRaw(t, servertest.OAuthBearer(t, imapSASL))
	x.step("a1 AUTHENTICATE OAUTHBEARER "+b64("n,a=alice,\x01auth=Bearer bad-token\x01\x01"), "+ "+b64(`{"status":"invalid_token","scope":"imap"}`))
	x.step("AQ==", "a1 NO [AUTHENTICATIONFAILED] Authentication failed")
	x.step("a2 AUTHENTICATE OAUTHBEARER "+b64("n,a=alice,\x01auth=Bearer good-token\x01\x01"), "a2 OK [CAPABILITY IMAP4rev1 *")
}
