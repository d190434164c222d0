package smtp_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/sasl/sasltest"
	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/mailwire/mailwire/smtp"
)

// saslSession implements every authentication interface: PLAIN and LOGIN
// by password, SCRAM from verifiers made of the same passwords, EXTERNAL
// by the client certificate's common name and OAUTHBEARER for the token
// "good-token".
type saslSession struct {
	c     *smtp.Conn
	users map[string]string
}

func (s *saslSession) Mail(context.Context, string, *smtp.MailOptions) error { return nil }
func (s *saslSession) Rcpt(context.Context, string, *smtp.RcptOptions) error { return nil }
func (s *saslSession) Data(_ context.Context, r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (s *saslSession) Reset(context.Context)        {}
func (s *saslSession) Logout(context.Context) error { return nil }

func (s *saslSession) AuthPlain(_ context.Context, identity, user, pass string) error {
	if p, ok := s.users[user]; !ok || p != pass || (identity != "" && identity != user) {
		return errors.New("bad credentials")
	}
	return nil
}

func (s *saslSession) ScramCredentials(_ context.Context, mech, user string) (smtp.ScramCredentials, error) {
	p, ok := s.users[user]
	if !ok {
		return smtp.ScramCredentials{}, smtp.ErrUnknownUser
	}
	return smtp.NewScramCredentials(mech, p, []byte("salt-"+user), 4096)
}

func (s *saslSession) AuthExternal(_ context.Context, cs *tls.ConnectionState, authzid string) (string, error) {
	cn := cs.VerifiedChains[0][0].Subject.CommonName
	if authzid != "" && authzid != cn {
		return "", errors.New("authzid not permitted")
	}
	return cn, nil
}

func (s *saslSession) AuthOAuthBearer(_ context.Context, req smtp.OAuthBearerRequest) (string, error) {
	if req.Token != "good-token" {
		return "", &smtp.OAuthBearerError{Status: "invalid_token", Scope: "smtp"}
	}
	return req.Authzid, nil
}

// saslServer starts a submission server over saslSession with STARTTLS
// that asks for (and verifies, if given) a client certificate. It returns
// the address, a client TLS configuration that trusts the server, and one
// that also presents alice's certificate.
func saslServer(t *testing.T, tweak func(*smtp.Server)) (addr string, plain, withCert *tls.Config) {
	pair, err := testcert.New()
	require.NoError(t, err)
	cert, pool, err := sasltest.ClientCertificate("alice")
	require.NoError(t, err)
	scfg := pair.ServerConfig()
	scfg.ClientAuth, scfg.ClientCAs = tls.VerifyClientCertIfGiven, pool
	srv := &smtp.Server{Domain: "mx.test", TLSConfig: scfg, AuthRequired: true, AllowInsecureAuth: true, AuthFailureDelay: -1,
		Backend: smtp.BackendFunc(func(_ context.Context, c *smtp.Conn) (smtp.Session, error) {
			return &saslSession{c: c, users: map[string]string{"alice": "pencil"}}, nil
		})}
	if tweak != nil {
		tweak(srv)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	withCert = pair.ClientConfig()
	withCert.Certificates = []tls.Certificate{cert}
	return l.Addr().String(), pair.ClientConfig(), withCert
}

// dialSASL connects a Client and says EHLO, after STARTTLS with cfg
// unless cfg is nil (then in the clear).
func dialSASL(t *testing.T, addr string, cfg *tls.Config) *smtp.Client {
	ctx := saslContext(t)
	opts := &smtp.Options{InsecureAuth: true, TLSConfig: cfg}
	dial := smtp.DialStartTLS
	if cfg == nil {
		dial = func(ctx context.Context, addr string, opts *smtp.Options) (*smtp.Client, error) {
			c, err := smtp.Dial(ctx, addr, opts)
			if err == nil {
				err = c.Hello(ctx, "")
			}
			return c, err
		}
	}
	c, err := dial(ctx, addr, opts)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func saslContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// authLine returns the mechanisms of the EHLO AUTH keyword (RFC 4954 3).
func authLine(t *testing.T, c *smtp.Client) string {
	caps, err := c.Caps()
	require.NoError(t, err)
	return caps["AUTH"]
}

// TestServer_SCRAM_RFC5802_RFC7677 runs the Client's SCRAM mechanisms
// against the Server: the base mechanisms in the clear, -PLUS after
// STARTTLS over TLS 1.3 with tls-exporter (RFC 9266); -PLUS is listed only
// over TLS, in the order SCRAM-SHA-256-PLUS first (RFC 4954 3).
func TestServer_SCRAM_RFC5802_RFC7677(t *testing.T) {
	addr, plain, _ := saslServer(t, nil)
	tls13 := plain.Clone()
	tls13.MinVersion = tls.VersionTLS13
	for _, tc := range []struct {
		name   string
		cfg    *tls.Config
		client smtp.SASLClient
		want   string
	}{
		{"SCRAM-SHA-256 in the clear", nil, smtp.ScramSHA256Auth("alice", "pencil"),
			"SCRAM-SHA-256 SCRAM-SHA-1 OAUTHBEARER PLAIN LOGIN"},
		{"SCRAM-SHA-1 in the clear", nil, smtp.ScramSHA1Auth("alice", "pencil"),
			"SCRAM-SHA-256 SCRAM-SHA-1 OAUTHBEARER PLAIN LOGIN"},
		{"SCRAM-SHA-256-PLUS", tls13, smtp.ScramSHA256PlusAuth("alice", "pencil"),
			"SCRAM-SHA-256-PLUS SCRAM-SHA-256 SCRAM-SHA-1-PLUS SCRAM-SHA-1 OAUTHBEARER PLAIN LOGIN"},
		{"SCRAM-SHA-1-PLUS", tls13, smtp.ScramSHA1PlusAuth("alice", "pencil"),
			"SCRAM-SHA-256-PLUS SCRAM-SHA-256 SCRAM-SHA-1-PLUS SCRAM-SHA-1 OAUTHBEARER PLAIN LOGIN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := saslContext(t)
			c := dialSASL(t, addr, tc.cfg)
			require.Equal(t, tc.want, authLine(t, c))
			require.NoError(t, c.Auth(ctx, tc.client))
			requireLoggedIn(t, c)
			require.NoError(t, c.Quit(ctx))
		})
	}
	c := dialSASL(t, addr, nil)
	require.Error(t, c.Auth(saslContext(t), smtp.ScramSHA256PlusAuth("alice", "pencil")), "no -PLUS without TLS")
}

// TestServer_SCRAM_Failures_RFC5802_9: a wrong password and an unknown
// user fail alike, 535 5.7.8 after the failed-login delay, so that names
// cannot be probed; the session goes on and may log in.
func TestServer_SCRAM_Failures_RFC5802_9(t *testing.T) {
	const delay = 100 * time.Millisecond
	addr, _, _ := saslServer(t, func(s *smtp.Server) { s.AuthFailureDelay = delay })
	var answers []string
	for _, client := range []smtp.SASLClient{smtp.ScramSHA256Auth("alice", "wrong"), smtp.ScramSHA1Auth("nobody", "pencil")} {
		ctx := saslContext(t)
		c := dialSASL(t, addr, nil)
		start := time.Now()
		var r *smtp.Reply
		require.ErrorAs(t, c.Auth(ctx, client), &r)
		require.GreaterOrEqual(t, time.Since(start), delay)
		answers = append(answers, r.Error())
		require.NoError(t, c.Auth(ctx, smtp.PlainAuth("", "alice", "pencil")))
		require.NoError(t, c.Quit(ctx))
	}
	require.Equal(t, answers[0], answers[1])
	require.Contains(t, answers[0], "535 5.7.8")
}

// rawSMTP talks to addr line by line after EHLO: send writes a line
// (unless empty) and checks the last line of the reply that comes back;
// a want ending in "*" is a prefix.
func rawSMTP(t *testing.T, addr string) func(send, want string) {
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(nc)
	reply := func() string {
		for {
			line, err := br.ReadString('\n')
			require.NoError(t, err)
			if len(line) < 4 || line[3] != '-' {
				return strings.TrimSuffix(line, "\r\n")
			}
		}
	}
	reply() // the greeting
	nc.Write([]byte("EHLO client.test\r\n"))
	reply()
	return func(send, want string) {
		t.Helper()
		if send != "" {
			nc.Write([]byte(send + "\r\n"))
		}
		got := reply()
		if p, ok := strings.CutSuffix(want, "*"); ok {
			require.True(t, strings.HasPrefix(got, p), "got %q, want %q", got, want)
		} else {
			require.Equal(t, want, got)
		}
	}
}

// requireLoggedIn checks that the server, which requires AUTH, now takes
// a transaction (RFC 4954 6: 530 5.7.0 before).
func requireLoggedIn(t *testing.T, c *smtp.Client) {
	t.Helper()
	ctx := saslContext(t)
	require.NoError(t, c.Mail(ctx, "alice@example.org", nil))
	require.NoError(t, c.Reset(ctx))
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestServer_SASL_CancelAndBase64_RFC4954_4: "*" cancels an exchange,
// before and after the server-first-message, with 501 5.0.0; bad base64
// gets 501 5.5.2; neither waits the failed-login delay, and the session
// goes on to log in.
func TestServer_SASL_CancelAndBase64_RFC4954_4(t *testing.T) {
	addr, _, _ := saslServer(t, func(s *smtp.Server) { s.AuthFailureDelay = time.Hour })
	x := rawSMTP(t, addr)
	x("AUTH SCRAM-SHA-256", "334 ")
	x("*", "501 5.0.0 *")
	x("AUTH SCRAM-SHA-256 "+b64("n,,n=alice,r=abcdefghijklmnop"), "334 *") // the server-first-message
	x("*", "501 5.0.0 *")
	x("AUTH SCRAM-SHA-1 not-base64", "501 5.5.2 *")
	x("AUTH SCRAM-SHA-1", "334 ")
	x("not-base64", "501 5.5.2 *")
	x("AUTH PLAIN "+b64("\x00alice\x00pencil"), "235 2.7.0 *")
}

// TestServer_EXTERNAL_RFC4422_A: EXTERNAL is offered, and succeeds, only
// over TLS with a verified client certificate; an authzid the session
// does not permit fails with 535 5.7.8; the identity is the certificate's.
func TestServer_EXTERNAL_RFC4422_A(t *testing.T) {
	addr, plain, withCert := saslServer(t, nil)
	for _, tc := range []struct {
		name    string
		cfg     *tls.Config
		authzid string
		offered bool
		ok      bool
	}{
		{"certificate", withCert, "", true, true},
		{"certificate, own authzid", withCert, "alice", true, true},
		{"certificate, other authzid", withCert, "bob", true, false},
		{"no certificate", plain, "", false, false},
		{"cleartext", nil, "", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := saslContext(t)
			c := dialSASL(t, addr, tc.cfg)
			require.Equal(t, tc.offered, strings.Contains(authLine(t, c), "EXTERNAL"))
			err := c.Auth(ctx, smtp.ExternalAuth(tc.authzid))
			if tc.ok {
				require.NoError(t, err)
				requireLoggedIn(t, c)
				return
			}
			if !tc.offered {
				require.ErrorIs(t, err, smtp.ErrClientState, "the client sends no unoffered mechanism")
				return
			}
			var r *smtp.Reply
			require.ErrorAs(t, err, &r)
			require.Equal(t, 535, r.Code)
		})
	}
	x := rawSMTP(t, addr)
	x("AUTH EXTERNAL =", "504 5.5.4 *") // not offered in the clear (RFC 4954 4)
	x("AUTH PLAIN "+b64("\x00alice\x00pencil"), "235 2.7.0 *")
}

// TestServer_OAUTHBEARER_RFC7628_3_2: a good token logs in; a bad one
// gets the server's JSON error as a 334 challenge, the client's dummy
// response "\x01", then 535 5.7.8 (RFC 7628 sections 3.2.2 and 3.2.3).
func TestServer_OAUTHBEARER_RFC7628_3_2(t *testing.T) {
	addr, _, _ := saslServer(t, nil)
	ctx := saslContext(t)
	c := dialSASL(t, addr, nil)
	var r *smtp.Reply
	require.ErrorAs(t, c.Auth(ctx, smtp.OAuthBearerAuth("alice", "bad-token")), &r)
	require.Equal(t, 535, r.Code)
	require.NoError(t, c.Auth(ctx, smtp.OAuthBearerAuth("alice", "good-token")))
	requireLoggedIn(t, c)

	x := rawSMTP(t, addr)
	x("AUTH OAUTHBEARER "+b64("n,a=alice,\x01auth=Bearer bad-token\x01\x01"), "334 "+b64(`{"status":"invalid_token","scope":"smtp"}`))
	x("AQ==", "535 5.7.8 *")
	x("AUTH OAUTHBEARER "+b64("n,a=alice,\x01auth=Bearer good-token\x01\x01"), "235 2.7.0 *")
}
