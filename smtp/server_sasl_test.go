package smtp_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/peertest"
	"github.com/mailwire/mailwire/internal/sasl/sasltest"
	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/smtptest"
	"github.com/stretchr/testify/require"
)

// dialSASL connects a Client to addr and sends EHLO, then STARTTLS with
// cfg unless cfg is nil (then it may send credentials in the clear).
// debug receives the exchange.
func dialSASL(t *testing.T, addr string, cfg *tls.Config, debug io.Writer) *smtp.Client {
	ctx := testutil.Context(t)
	c, err := smtp.Dial(ctx, addr, &smtp.Options{InsecureAuth: cfg == nil, Debug: debug})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.Hello(ctx, "client.test"))
	if cfg != nil {
		require.NoError(t, c.StartTLS(ctx, cfg))
	}
	return c
}

// authLine is the mechanisms of the server's last EHLO AUTH line.
func authLine(t *testing.T, c *smtp.Client) string {
	caps, err := c.Caps()
	require.NoError(t, err)
	return caps["AUTH"]
}

// TestServer_SCRAM_RFC5802_RFC7677 runs the Client's SCRAM mechanisms
// against the Server over smtptest's verifiers: the base mechanisms in
// the clear, -PLUS after STARTTLS over TLS 1.3 with tls-exporter (RFC
// 9266), which the client picks on its own when EHLO lists -PLUS (RFC
// 5802 section 6); EHLO lists -PLUS only over TLS (RFC 4954 section 3).
// The identity authenticated is the one the message is recorded with.
func TestServer_SCRAM_RFC5802_RFC7677(t *testing.T) {
	ts := smtptest.NewServer(t, smtptest.WithTLS(), smtptest.WithInsecureAuth(), smtptest.WithUser("alice", "pencil"))
	for _, tc := range []struct {
		name   string
		tls    bool
		client smtp.SASLClient
		mech   string
	}{
		{"SCRAM-SHA-256 in the clear", false, smtp.ScramSHA256Auth("alice", "pencil"), "SCRAM-SHA-256"},
		{"SCRAM-SHA-1 in the clear", false, smtp.ScramSHA1Auth("alice", "pencil"), "SCRAM-SHA-1"},
		{"SCRAM-SHA-256-PLUS", true, smtp.ScramSHA256PlusAuth("alice", "pencil"), "SCRAM-SHA-256-PLUS"},
		{"SCRAM-SHA-1-PLUS", true, smtp.ScramSHA1PlusAuth("alice", "pencil"), "SCRAM-SHA-1-PLUS"},
		{"SCRAM-SHA-256 moving to -PLUS", true, smtp.ScramSHA256Auth("alice", "pencil"), "SCRAM-SHA-256-PLUS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts.Reset()
			ctx := testutil.Context(t)
			var cfg *tls.Config
			want := "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN LOGIN"
			if tc.tls {
				cfg = ts.ClientTLSConfig()
				cfg.MinVersion = tls.VersionTLS13
				want = "SCRAM-SHA-256-PLUS SCRAM-SHA-256 SCRAM-SHA-1-PLUS SCRAM-SHA-1 PLAIN LOGIN"
			}
			var debug bytes.Buffer
			c := dialSASL(t, ts.Addr, cfg, &debug)
			require.Equal(t, want, authLine(t, c))
			require.NoError(t, c.Auth(ctx, tc.client))
			require.Contains(t, debug.String(), "C: AUTH "+tc.mech+" ")
			require.NoError(t, c.Send(ctx, "a@x.test", []string{"b@y.test"}, strings.NewReader("Subject: hi\r\n\r\nhello\r\n"), nil))
			require.Equal(t, "alice", ts.Messages()[0].Identity)
			require.NoError(t, c.Quit(ctx))
		})
	}
	c := dialSASL(t, ts.Addr, nil, nil)
	require.Error(t, c.Auth(testutil.Context(t), smtp.ScramSHA256PlusAuth("alice", "pencil")), "no -PLUS without TLS")
}

// TestServer_SCRAM_Failures_RFC5802_9: a wrong password and an unknown
// user fail alike, 535 5.7.8 after the failed-login delay (RFC 4954
// section 6), so that names cannot be probed; the session goes on.
func TestServer_SCRAM_Failures_RFC5802_9(t *testing.T) {
	const delay = 100 * time.Millisecond
	ts := smtptest.NewServer(t, smtptest.WithInsecureAuth(), smtptest.WithUser("alice", "pencil"),
		smtptest.WithServer(func(s *smtp.Server) { s.AuthFailureDelay = delay }))
	// answer is the reply to a failing client, which must come after the
	// delay and leave the session able to authenticate.
	answer := func(client smtp.SASLClient) string {
		ctx := testutil.Context(t)
		c := dialSASL(t, ts.Addr, nil, nil)
		start := time.Now()
		var r *smtp.Reply
		require.ErrorAs(t, c.Auth(ctx, client), &r)
		require.GreaterOrEqual(t, time.Since(start), delay)
		require.NoError(t, c.Auth(ctx, smtp.PlainAuth("", "alice", "pencil")))
		return r.Error()
	}
	wrong := answer(smtp.ScramSHA256Auth("alice", "wrong"))
	require.Contains(t, wrong, "535 5.7.8")
	require.Equal(t, wrong, answer(smtp.ScramSHA1Auth("nobody", "pencil")), "an unknown user fails as a wrong password")
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

// certTokenSession adds EXTERNAL, by the client certificate's common
// name, and OAUTHBEARER, for the token "good-token", to a session that
// takes any message.
type certTokenSession struct{}

func (certTokenSession) Mail(context.Context, string, *smtp.MailOptions) error { return nil }
func (certTokenSession) Rcpt(context.Context, string, *smtp.RcptOptions) error { return nil }
func (certTokenSession) Data(_ context.Context, r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (certTokenSession) Reset(context.Context)        {}
func (certTokenSession) Logout(context.Context) error { return nil }

func (certTokenSession) AuthExternal(_ context.Context, cs *tls.ConnectionState, authzid string) (string, error) {
	return sasltest.CommonName(cs, authzid)
}

func (certTokenSession) AuthOAuthBearer(_ context.Context, req smtp.OAuthBearerRequest) (string, error) {
	if req.Token != "good-token" {
		return "", &smtp.OAuthBearerError{Status: "invalid_token", Scope: "smtp"}
	}
	return req.Authzid, nil
}

// startCertTokenServer serves certTokenSession with STARTTLS that asks
// for a client certificate, and returns the TLS configurations.
func startCertTokenServer(t *testing.T) (string, sasltest.Configs) {
	cfgs, err := sasltest.NewConfigs()
	require.NoError(t, err)
	srv := &smtp.Server{Domain: "mx.test", TLSConfig: cfgs.Server, AllowInsecureAuth: true, AuthFailureDelay: -1,
		Backend: smtp.BackendFunc(func(context.Context, *smtp.Conn) (smtp.Session, error) { return certTokenSession{}, nil })}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String(), cfgs
}

// TestServer_EXTERNAL_RFC4422_A: EHLO lists EXTERNAL, and it succeeds,
// only over TLS with a verified client certificate; an authzid the
// session does not permit fails with 535 5.7.8, and the server refuses
// EXTERNAL where it does not list it with 504 5.5.4.
func TestServer_EXTERNAL_RFC4422_A(t *testing.T) {
	addr, cfgs := startCertTokenServer(t)
	ctx := testutil.Context(t)
	for _, tc := range []struct {
		name    string
		cfg     *tls.Config
		authzid string
		want    string // the AUTH line
		reply   string // to AUTH EXTERNAL: "" for 235, "not offered" if the client sends nothing
	}{
		{"certificate", cfgs.WithCert, "", "EXTERNAL OAUTHBEARER", ""},
		{"certificate, own authzid", cfgs.WithCert, "alice", "EXTERNAL OAUTHBEARER", ""},
		{"certificate, other authzid", cfgs.WithCert, "bob", "EXTERNAL OAUTHBEARER", "535 5.7.8"},
		{"no certificate", cfgs.Client, "", "OAUTHBEARER", "not offered"},
		{"cleartext", nil, "", "OAUTHBEARER", "not offered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialSASL(t, addr, tc.cfg, nil)
			require.Equal(t, tc.want, authLine(t, c))
			err := c.Auth(ctx, smtp.ExternalAuth(tc.authzid))
			if tc.reply == "" {
				require.NoError(t, err)
				require.NoError(t, c.Quit(ctx))
				return
			}
			if tc.reply == "not offered" {
				require.ErrorIs(t, err, smtp.ErrClientState)
				return
			}
			var r *smtp.Reply
			require.ErrorAs(t, err, &r)
			require.Contains(t, r.Error(), tc.reply)
		})
	}
	x := dialRaw(t, addr)
	x.expect("220 ")
	x.send("EHLO client.test\r\nAUTH EXTERNAL =\r\n")
	x.expect("250 ")
	x.expect("504 5.5.4 Unrecognized authentication type")
}

// TestServer_OAUTHBEARER_RFC7628_3_2: a good token authenticates; a bad
// one gets the session's JSON error as a 334 challenge, the client's
// dummy response "\x01", then 535 5.7.8 (RFC 7628 sections 3.2.2 and
// 3.2.3).
func TestServer_OAUTHBEARER_RFC7628_3_2(t *testing.T) {
	addr, cfgs := startCertTokenServer(t)
	ctx := testutil.Context(t)
	c := dialSASL(t, addr, cfgs.Client, nil)
	var r *smtp.Reply
	require.ErrorAs(t, c.Auth(ctx, smtp.OAuthBearerAuth("alice", "bad-token")), &r)
	require.Contains(t, r.Error(), "535 5.7.8")
	require.NoError(t, c.Auth(ctx, smtp.OAuthBearerAuth("alice", "good-token")))
	require.NoError(t, c.Quit(ctx))

	x := dialRaw(t, addr)
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
	addr, _ := startCertTokenServer(t)
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
