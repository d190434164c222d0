package smtp_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/peertest"
	"github.com/mailwire/mailwire/internal/sasl"
	"github.com/mailwire/mailwire/internal/sasl/sasltest"
	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/smtptest"
	"github.com/stretchr/testify/require"
)

// smtpSASL describes the Client to servertest's SASL families. Dial
// greets with EHLO, as a session must before AUTH (RFC 4954 section 4);
// Login is AUTH PLAIN; Use sends a message.
var smtpSASL = servertest.SASL[*smtp.Client]{
	Dial: func(ctx context.Context, addr string, cleartext bool) (*smtp.Client, error) {
		c, err := smtp.Dial(ctx, addr, &smtp.Options{InsecureAuth: cleartext})
		if err != nil {
			return nil, err
		}
		if err := c.Hello(ctx, "client.test"); err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	},
	StartTLS: (*smtp.Client).StartTLS, Close: (*smtp.Client).Close,
	Mechanisms: func(c *smtp.Client, _ context.Context) ([]string, error) {
		caps, err := c.Caps()
		return strings.Fields(caps["AUTH"]), err
	},
	Auth: (*smtp.Client).Auth,
	Login: func(c *smtp.Client, ctx context.Context, user, pass string) error {
		return c.Auth(ctx, smtp.PlainAuth("", user, pass))
	},
	LoggedIn: authenticated,
	Use: func(c *smtp.Client, ctx context.Context) error {
		return c.Send(ctx, "a@x.test", []string{"b@y.test"}, strings.NewReader("Subject: hi\r\n\r\nhello\r\n"), nil)
	},
	End:    (*smtp.Client).Quit,
	SHA256: smtp.ScramSHA256Auth, SHA1: smtp.ScramSHA1Auth, SHA256Plus: smtp.ScramSHA256PlusAuth, SHA1Plus: smtp.ScramSHA1PlusAuth,
	External: smtp.ExternalAuth, OAuthBearer: smtp.OAuthBearerAuth,
	Reply:       (*smtp.Reply)(nil),
	AuthFailed:  "535 5.7.8 Authentication credentials invalid",
	Unsupported: "504 5.5.4 Unrecognized authentication type",
	CertTokenServer: func(cfg *tls.Config) servertest.Servable {
		return &smtp.Server{Domain: "mx.test", TLSConfig: cfg, AllowInsecureAuth: true, AuthFailureDelay: -1,
			Backend: smtp.BackendFunc(func(context.Context, *smtp.Conn) (smtp.Session, error) {
				return certTokenSession{servertest.CertToken{Scope: "smtp"}}, nil
			})}
	},
}

// authenticated reports whether c's session is: the Server lists AUTH in
// its EHLO reply until the session authenticates and not after, since no
// second AUTH may follow (RFC 4954 section 4), so c says EHLO again.
func authenticated(c *smtp.Client) bool {
	ctx, cancel := context.WithTimeout(context.Background(), testutil.ContextTimeout)
	defer cancel()
	return c.Hello(ctx, "client.test") == nil && !c.Supports("AUTH")
}

// certTokenSession takes any message; servertest.CertToken adds
// EXTERNAL and OAUTHBEARER. It has no password logins, so that EHLO
// lists those two alone.
type certTokenSession struct{ servertest.CertToken }

func (certTokenSession) Mail(context.Context, string, *smtp.MailOptions) error { return nil }
func (certTokenSession) Rcpt(context.Context, string, *smtp.RcptOptions) error { return nil }
func (certTokenSession) Data(_ context.Context, r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (certTokenSession) Reset(context.Context)        {}
func (certTokenSession) Logout(context.Context) error { return nil }

// serveCertToken serves smtpSASL's CertTokenServer until t ends and
// returns its address and TLS configurations.
func serveCertToken(t *testing.T) (string, sasltest.Configs) {
	cfgs, err := sasltest.NewConfigs()
	require.NoError(t, err)
	return servertest.Serve(t, smtpSASL.CertTokenServer(cfgs.Server)), cfgs
}

// scramNamed is a SCRAM client of the mechanism mech that fails its
// exchange unless it names, in AUTH, mech or, once bound to a TLS
// channel whose server lists mech-PLUS, mech-PLUS: the client binds
// whenever it can (RFC 5802 section 6).
type scramNamed struct {
	sasl.Client // a sasl.ChannelBinder and a sasl.MutualClient too
	mech, want  string
}

// Bind notes the mechanism the exchange must name and binds.
func (s *scramNamed) Bind(cs *tls.ConnectionState, offered []string) {
	s.want = s.mech
	if cs != nil && !strings.HasSuffix(s.mech, "-PLUS") && slices.Contains(offered, s.mech+"-PLUS") {
		s.want += "-PLUS"
	}
	s.Client.(sasl.ChannelBinder).Bind(cs, offered)
}

// Start fails unless the client names the mechanism Bind noted.
func (s *scramNamed) Start() (string, []byte, error) {
	mech, initial, err := s.Client.Start()
	if err == nil && mech != s.want {
		return "", nil, fmt.Errorf("AUTH %s, want AUTH %s", mech, s.want)
	}
	return mech, initial, err
}

// Verified is the wrapped client's.
func (s *scramNamed) Verified() bool { return s.Client.(sasl.MutualClient).Verified() }

// named makes newClient's clients scramNamed clients of mech.
func named(mech string, newClient func(user, pass string) smtp.SASLClient) func(user, pass string) smtp.SASLClient {
	return func(user, pass string) smtp.SASLClient { return &scramNamed{Client: newClient(user, pass), mech: mech} }
}

// TestServer_SCRAM_RFC5802_RFC7677 runs the Client's SCRAM mechanisms
// against the Server over smtptest's verifiers (servertest.SCRAM), -PLUS
// after STARTTLS; EHLO lists -PLUS only over TLS (RFC 4954 section 3).
// Each client names in AUTH the mechanism it should (scramNamed), and the
// identity authenticated is the one the message is recorded with.
func TestServer_SCRAM_RFC5802_RFC7677(t *testing.T) {
	ts := smtptest.NewServer(t, smtptest.WithTLS(), smtptest.WithInsecureAuth(), smtptest.WithUser("alice", "pencil"))
	d := smtpSASL
	d.SHA256, d.SHA1 = named("SCRAM-SHA-256", smtp.ScramSHA256Auth), named("SCRAM-SHA-1", smtp.ScramSHA1Auth)
	d.SHA256Plus, d.SHA1Plus = named("SCRAM-SHA-256-PLUS", smtp.ScramSHA256PlusAuth), named("SCRAM-SHA-1-PLUS", smtp.ScramSHA1PlusAuth)
	d.Use = func(c *smtp.Client, ctx context.Context) error {
		ts.Reset()
		if err := smtpSASL.Use(c, ctx); err != nil {
			return err
		}
		if id := ts.Messages()[0].Identity; id != "alice" {
			return fmt.Errorf("message recorded for %q, want alice", id)
		}
		return nil
	}
	servertest.SCRAM(t, d, ts.Addr, ts.ClientTLSConfig)
}

// TestServer_SCRAM_Failures_RFC5802_9: a wrong password and an unknown
// user fail alike, 535 5.7.8 after the failed-login delay (RFC 4954
// section 6), so that names cannot be probed; the session goes on.
func TestServer_SCRAM_Failures_RFC5802_9(t *testing.T) {
	const delay = 100 * time.Millisecond
	ts := smtptest.NewServer(t, smtptest.WithInsecureAuth(), smtptest.WithUser("alice", "pencil"),
		smtptest.WithServer(func(s *smtp.Server) { s.AuthFailureDelay = delay }))
	servertest.SCRAMFailures(t, smtpSASL, ts.Addr, delay)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestServer_SASL_CancelAndBase64_RFC4954_4: "*" cancels an exchange,
// before and after the server-first-message, with 501 5.0.0, and bad
// base64 gets 501 5.5.2, neither with the failed-login delay; the
// session goes on.
func TestServer_SASL_CancelAndBase64_RFC4954_4(t *testing.T) {
	ts := smtptest.NewServer(t, smtptest.WithInsecureAuth(), smtptest.WithUser("alice", "pencil"),
		smtptest.WithServer(func(s *smtp.Server) { s.AuthFailureDelay = time.Hour }))
	c := dialRaw(t, ts.Addr)
	c.expect("220 ")
	for _, step := range []struct{ send, want string }{
		{"EHLO client.test", "250 "},
		{"AUTH SCRAM-SHA-256", "334 "},
		{"*", "501 5.0.0 Authentication cancelled"},
		{"AUTH SCRAM-SHA-256 " + b64("n,,n=alice,r=abcdefghijklmnop"), "334 " + b64("r=abcdefghijklmnop")},
		{"*", "501 5.0.0 Authentication cancelled"},
		{"AUTH SCRAM-SHA-1 not-base64", "501 5.5.2 Invalid base64 in initial response"},
		{"AUTH SCRAM-SHA-1", "334 "},
		{"not-base64", "501 5.5.2 Invalid base64 response"},
		{"AUTH PLAIN " + b64("\x00alice\x00pencil"), "235 2.7.0 Authentication successful"},
	} {
		c.send(step.send + "\r\n")
		c.expect(step.want)
	}
}

// TestServer_EXTERNAL_RFC4422_A: EHLO lists EXTERNAL, and it succeeds,
// only over TLS with a verified client certificate; an authzid the
// session does not permit fails with 535 5.7.8. Where EHLO does not list
// it the Client sends nothing (ErrClientState) and the Server refuses
// AUTH EXTERNAL with 504 5.5.4. (servertest.External expects the
// server's refusal there, which this Client never provokes.)
func TestServer_EXTERNAL_RFC4422_A(t *testing.T) {
	addr, cfgs := serveCertToken(t)
	ctx := testutil.Context(t)
	// external dials, after STARTTLS with cfg unless it is nil, requires
	// EHLO to list AUTH mechs and runs EXTERNAL for authzid.
	external := func(cfg *tls.Config, mechs, authzid string) (*smtp.Client, error) {
		t.Helper()
		var c *smtp.Client
		var err error
		if cfg == nil {
			c, err = smtpSASL.Dial(ctx, addr, true)
		} else {
			c, err = smtp.DialStartTLS(ctx, addr, &smtp.Options{TLSConfig: cfg})
		}
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		caps, err := c.Caps()
		require.NoError(t, err)
		require.Equal(t, mechs, caps["AUTH"])
		return c, c.Auth(ctx, smtp.ExternalAuth(authzid))
	}
	for _, authzid := range []string{"", "alice"} {
		c, err := external(cfgs.WithCert, "EXTERNAL OAUTHBEARER", authzid)
		require.NoError(t, err, "authzid %q", authzid)
		require.True(t, authenticated(c))
		require.NoError(t, c.Quit(ctx))
	}
	var r *smtp.Reply
	_, err := external(cfgs.WithCert, "EXTERNAL OAUTHBEARER", "bob")
	require.ErrorAs(t, err, &r)
	require.Equal(t, smtpSASL.AuthFailed, r.Error())
	for _, cfg := range []*tls.Config{cfgs.Client, nil} { // no certificate; cleartext
		_, err := external(cfg, "OAUTHBEARER", "")
		require.ErrorIs(t, err, smtp.ErrClientState)
	}
	x := dialRaw(t, addr)
	x.expect("220 ")
	x.send("EHLO client.test\r\nAUTH EXTERNAL =\r\n")
	x.expect("250 ")
	x.expect(smtpSASL.Unsupported)
}

// TestServer_OAUTHBEARER_RFC7628_3_2: a good token authenticates, a bad
// one fails with 535 5.7.8 (servertest.OAuthBearer); on the wire, the
// bad one gets the session's JSON error as a 334 challenge, the client's
// dummy response "\x01", then 535 5.7.8 (RFC 7628 sections 3.2.2 and
// 3.2.3).
func TestServer_OAUTHBEARER_RFC7628_3_2(t *testing.T) {
	x := dialRaw(t, servertest.OAuthBearer(t, smtpSASL))
	x.expect("220 ")
	for _, step := range []struct{ send, want string }{
		{"EHLO client.test", "250 "},
		{"AUTH OAUTHBEARER " + b64("n,a=alice,\x01auth=Bearer bad-token\x01\x01"), "334 " + b64(`{"status":"invalid_token","scope":"smtp"}`)},
		{"AQ==", "535 5.7.8 Authentication credentials invalid"},
		{"AUTH OAUTHBEARER " + b64("n,a=alice,\x01auth=Bearer good-token\x01\x01"), "235 2.7.0 Authentication successful"},
	} {
		x.send(step.send + "\r\n")
		x.expect(step.want)
	}
}

// TestPeerCurl_OAUTHBEARER_RFC7628: curl's --oauth2-bearer picks
// OAUTHBEARER from EHLO, sends its GS2 header with host and port (RFC
// 7628 section 3.1) and delivers once the token is good; with a bad one
// curl gets 535 and exits non-zero (67, login denied).
func TestPeerCurl_OAUTHBEARER_RFC7628(t *testing.T) {
	curl := peertest.Need(t, "curl")
	addr, _ := serveCertToken(t)
	file := writeFile(t, "msg.eml", []byte(peerMessage))
	args := func(token string) []string {
		return []string{"-sS", "--max-time", "30", "smtp://" + addr + "/curl.test", "--user", "alice:",
			"--oauth2-bearer", token, "--mail-from", "peer@x.test", "--mail-rcpt", "bob@y.test", "--upload-file", file}
	}
	runPeer(t, curl, args("good-token")...)
	err := exec.CommandContext(testutil.Context(t), curl, args("bad-token")...).Run()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, 67, ee.ExitCode())
}
