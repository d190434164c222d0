package pop3_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/sasl/sasltest"
	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3mem"
	"github.com/mailwire/mailwire/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

func saslContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// dialSASL connects a Client to addr, after STLS with cfg unless cfg is
// nil (then it may send credentials in the clear).
func dialSASL(t *testing.T, addr string, cfg *tls.Config) *pop3.Client {
	ctx := saslContext(t)
	c, err := pop3.Dial(ctx, addr, &pop3.Options{InsecureAuth: cfg == nil})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	if cfg != nil {
		require.NoError(t, c.StartTLS(ctx, cfg))
	}
	return c
}

// TestServer_SCRAM_RFC5802_RFC7677 runs the Client's SCRAM mechanisms
// against the Server over pop3mem's verifiers: the base mechanisms in the
// clear, -PLUS after STLS over TLS 1.3 with tls-exporter (RFC 9266), which
// the client also picks on its own when the server lists -PLUS (RFC 5802
// section 6); -PLUS is listed only over TLS.
func TestServer_SCRAM_RFC5802_RFC7677(t *testing.T) {
	msg := []byte("Subject: hi\r\n\r\nhello\r\n")
	ts := pop3test.NewServer(t, pop3test.WithTLS(), pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "pencil", msg))
	for _, tc := range []struct {
		name   string
		tls    bool
		client pop3.SASLClient
	}{
		{"SCRAM-SHA-256 in the clear", false, pop3.ScramSHA256Auth("alice", "pencil")},
		{"SCRAM-SHA-1 in the clear", false, pop3.ScramSHA1Auth("alice", "pencil")},
		{"SCRAM-SHA-256-PLUS", true, pop3.ScramSHA256PlusAuth("alice", "pencil")},
		{"SCRAM-SHA-1-PLUS", true, pop3.ScramSHA1PlusAuth("alice", "pencil")},
		{"SCRAM-SHA-256 moving to -PLUS", true, pop3.ScramSHA256Auth("alice", "pencil")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := saslContext(t)
			var cfg *tls.Config
			want := []string{"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "LOGIN"}
			if tc.tls {
				cfg = ts.ClientTLSConfig()
				cfg.MinVersion = tls.VersionTLS13
				want = []string{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "PLAIN", "LOGIN"}
			}
			c := dialSASL(t, ts.Addr, cfg)
			caps, err := c.Capa(ctx)
			require.NoError(t, err)
			require.Equal(t, want, caps["SASL"])
			require.NoError(t, c.Auth(ctx, tc.client))
			n, _, err := c.Stat(ctx)
			require.NoError(t, err)
			require.Equal(t, 1, n)
			require.NoError(t, c.Quit(ctx))
		})
	}
	c := dialSASL(t, ts.Addr, nil)
	require.Error(t, c.Auth(saslContext(t), pop3.ScramSHA256PlusAuth("alice", "pencil")), "no -PLUS without TLS")
}

// TestServer_SCRAM_Failures_RFC5802_9: a wrong password and an unknown
// user fail alike, -ERR [AUTH] after the failed-login delay, so that
// names cannot be probed; the session stays in AUTHORIZATION.
func TestServer_SCRAM_Failures_RFC5802_9(t *testing.T) {
	const delay = 100 * time.Millisecond
	ts := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "pencil"),
		pop3test.WithServer(func(s *pop3.Server) { s.AuthFailureDelay = delay }))
	var answers []string
	for _, client := range []pop3.SASLClient{pop3.ScramSHA256Auth("alice", "wrong"), pop3.ScramSHA1Auth("nobody", "pencil")} {
		ctx := saslContext(t)
		c := dialSASL(t, ts.Addr, nil)
		start := time.Now()
		var r *pop3.Response
		require.ErrorAs(t, c.Auth(ctx, client), &r)
		require.GreaterOrEqual(t, time.Since(start), delay)
		answers = append(answers, r.Error())
		require.Equal(t, pop3.StateAuthorization, c.State())
		require.NoError(t, c.Login(ctx, "alice", "pencil"))
		require.NoError(t, c.Quit(ctx))
	}
	require.Equal(t, answers[0], answers[1])
	require.Contains(t, answers[0], "[AUTH]")
}

// rawSession talks to addr line by line: send writes a line (unless
// empty) and checks the lines that come back.
func rawSession(t *testing.T, addr string) func(send string, want ...string) {
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(nc)
	br.ReadString('\n') // the greeting
	return func(send string, want ...string) {
		t.Helper()
		if send != "" {
			nc.Write([]byte(send + "\r\n"))
		}
		for _, w := range want {
			line, err := br.ReadString('\n')
			require.NoError(t, err)
			line = strings.TrimSuffix(line, "\r\n")
			if strings.HasSuffix(w, "*") {
				require.True(t, strings.HasPrefix(line, strings.TrimSuffix(w, "*")), "got %q, want %q", line, w)
			} else {
				require.Equal(t, w, line)
			}
		}
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

// certTokenBackend adds EXTERNAL, by the client certificate's common
// name, and OAUTHBEARER, for the token "good-token", to pop3mem.
type certTokenBackend struct{ *pop3mem.Store }

func (certTokenBackend) AuthExternal(_ context.Context, cs *tls.ConnectionState, authzid string) (string, error) {
	cn := cs.VerifiedChains[0][0].Subject.CommonName
	if authzid != "" && authzid != cn {
		return "", errors.New("authzid not permitted")
	}
	return cn, nil
}

func (certTokenBackend) AuthOAuthBearer(_ context.Context, req pop3.OAuthBearerRequest) (string, error) {
	if req.Token != "good-token" {
		return "", &pop3.OAuthBearerError{Status: "invalid_token", Scope: "pop3"}
	}
	return req.Authzid, nil
}

// startCertTokenServer serves certTokenBackend with STLS that asks for a
// client certificate, and returns a client config that trusts the server
// and one that also presents alice's certificate.
func startCertTokenServer(t *testing.T) (addr string, plain, withCert *tls.Config) {
	pair, err := testcert.New()
	require.NoError(t, err)
	cert, pool, err := sasltest.ClientCertificate("alice")
	require.NoError(t, err)
	store := &pop3mem.Store{}
	store.AddUser("alice", "pencil")
	scfg := pair.ServerConfig()
	scfg.ClientAuth, scfg.ClientCAs = tls.VerifyClientCertIfGiven, pool
	srv := &pop3.Server{Backend: certTokenBackend{store}, TLSConfig: scfg, AllowInsecureAuth: true, AuthFailureDelay: -1}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	withCert = pair.ClientConfig()
	withCert.Certificates = []tls.Certificate{cert}
	return l.Addr().String(), pair.ClientConfig(), withCert
}

// TestServer_EXTERNAL_RFC4422_A: EXTERNAL is offered, and succeeds, only
// over TLS with a verified client certificate; an authzid the backend
// does not permit fails as a login does.
func TestServer_EXTERNAL_RFC4422_A(t *testing.T) {
	addr, plain, withCert := startCertTokenServer(t)
	ctx := saslContext(t)
	for _, tc := range []struct {
		name    string
		cfg     *tls.Config
		authzid string
		offered bool
		want    pop3.ResponseCode // "" for success
	}{
		{"certificate", withCert, "", true, ""},
		{"certificate, own authzid", withCert, "alice", true, ""},
		{"certificate, other authzid", withCert, "bob", true, pop3.CodeAuth},
		{"no certificate", plain, "", false, "none"},
		{"cleartext", nil, "", false, "none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialSASL(t, addr, tc.cfg)
			caps, err := c.Capa(ctx)
			require.NoError(t, err)
			require.Equal(t, tc.offered, caps.Has("SASL") && strings.Contains(strings.Join(caps["SASL"], " "), "EXTERNAL"))
			err = c.Auth(ctx, pop3.ExternalAuth(tc.authzid))
			if tc.want == "" {
				require.NoError(t, err)
				require.Equal(t, pop3.StateTransaction, c.State())
				require.NoError(t, c.Quit(ctx))
				return
			}
			var r *pop3.Response
			require.ErrorAs(t, err, &r)
			if tc.want == pop3.CodeAuth {
				require.Equal(t, pop3.CodeAuth, r.Code)
			} else {
				require.Equal(t, "Unrecognized authentication mechanism", r.Text)
			}
		})
	}
}

// TestServer_OAUTHBEARER_RFC7628_3_2: a good token logs in; a bad one
// gets the server's JSON error as a challenge, the client's dummy
// response "\x01", then -ERR [AUTH] (RFC 7628 sections 3.2.2 and 3.2.3).
func TestServer_OAUTHBEARER_RFC7628_3_2(t *testing.T) {
	addr, plain, _ := startCertTokenServer(t)
	ctx := saslContext(t)
	c := dialSASL(t, addr, plain)
	var r *pop3.Response
	require.ErrorAs(t, c.Auth(ctx, pop3.OAuthBearerAuth("alice", "bad-token")), &r)
	require.Equal(t, pop3.CodeAuth, r.Code)
	require.NoError(t, c.Auth(ctx, pop3.OAuthBearerAuth("alice", "good-token")))
	require.Equal(t, pop3.StateTransaction, c.State())
	require.NoError(t, c.Quit(ctx))

	x := rawSession(t, addr)
	x("AUTH OAUTHBEARER "+b64("n,a=alice,\x01auth=Bearer bad-token\x01\x01"), "+ "+b64(`{"status":"invalid_token","scope":"pop3"}`))
	x("AQ==", "-ERR [AUTH] Authentication failed")
	x("AUTH OAUTHBEARER "+b64("n,a=alice,\x01auth=Bearer good-token\x01\x01"), "+OK Maildrop has 0 messages (0 octets)")
}
