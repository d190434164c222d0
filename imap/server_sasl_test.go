package imap_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/mailwire/mailwire/internal/sasl/sasltest"
	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/stretchr/testify/require"
)

// dialSASL connects a Client to addr, after STARTTLS with cfg unless cfg
// is nil.
func dialSASL(t *testing.T, addr string, cfg *tls.Config) *imap.Client {
	ctx := testutil.Context(t)
	c, err := imap.Dial(ctx, addr, nil)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	if cfg != nil {
		require.NoError(t, c.StartTLS(ctx, cfg))
	}
	return c
}

// authMechanisms returns the AUTH= capabilities the server lists now, in
// its order.
func authMechanisms(t *testing.T, addr string, cfg *tls.Config) []string {
	ctx := testutil.Context(t)
	c := dialSASL(t, addr, cfg)
	caps, err := c.Capability(ctx)
	require.NoError(t, err)
	return caps.AuthMechanisms()
}

// TestServer_SCRAM_RFC5802_RFC7677 runs the Client's SCRAM mechanisms
// against the Server over imapmem's verifiers: the base mechanisms in the
// clear, -PLUS after STARTTLS over TLS 1.3 with tls-exporter (RFC 9266),
// which the client also picks on its own when the server lists -PLUS
// (RFC 5802 section 6); -PLUS is listed only over TLS (RFC 3501 section
// 6.2.2: AUTH= names what AUTHENTICATE can run).
func TestServer_SCRAM_RFC5802_RFC7677(t *testing.T) {
	ts := imaptest.NewServer(t, imaptest.WithTLS(), imaptest.WithInsecureAuth(), imaptest.WithUser("alice", "pencil"))
	for _, tc := range []struct {
		name   string
		tls    bool
		client imap.SASLClient
	}{
		{"SCRAM-SHA-256 in the clear", false, imap.ScramSHA256Auth("alice", "pencil")},
		{"SCRAM-SHA-1 in the clear", false, imap.ScramSHA1Auth("alice", "pencil")},
		{"SCRAM-SHA-256-PLUS", true, imap.ScramSHA256PlusAuth("alice", "pencil")},
		{"SCRAM-SHA-1-PLUS", true, imap.ScramSHA1PlusAuth("alice", "pencil")},
		{"SCRAM-SHA-256 moving to -PLUS", true, imap.ScramSHA256Auth("alice", "pencil")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testutil.Context(t)
			var cfg *tls.Config
			want := []string{"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "LOGIN"}
			if tc.tls {
				cfg = ts.ClientTLSConfig()
				cfg.MinVersion = tls.VersionTLS13
				want = []string{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "PLAIN", "LOGIN"}
			}
			require.ElementsMatch(t, want, authMechanisms(t, ts.Addr, cfg))
			c := dialSASL(t, ts.Addr, cfg)
			require.NoError(t, c.Authenticate(ctx, tc.client))
			require.Equal(t, imap.StateAuthenticated, c.State())
			_, err := c.Select(ctx, "INBOX", nil)
			require.NoError(t, err)
			require.NoError(t, c.Logout(ctx))
		})
	}
	c := dialSASL(t, ts.Addr, nil)
	require.Error(t, c.Authenticate(testutil.Context(t), imap.ScramSHA256PlusAuth("alice", "pencil")), "no -PLUS without TLS")
}

// TestServer_SCRAM_Failures_RFC5802_9: a wrong password and an unknown
// user fail alike, NO [AUTHENTICATIONFAILED] (RFC 5530 section 3) after
// the failed-login delay, so that names cannot be probed; the session
// stays not authenticated and LOGIN still works.
func TestServer_SCRAM_Failures_RFC5802_9(t *testing.T) {
	const delay = 100 * time.Millisecond
	ts := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithUser("alice", "pencil"),
		imaptest.WithServer(func(s *imap.Server) { s.AuthFailureDelay = delay }))
	var answers []string
	for _, client := range []imap.SASLClient{imap.ScramSHA256Auth("alice", "wrong"), imap.ScramSHA1Auth("nobody", "pencil")} {
		ctx := testutil.Context(t)
		c := dialSASL(t, ts.Addr, nil)
		start := time.Now()
		var st *imap.StatusResponse
		require.ErrorAs(t, c.Authenticate(ctx, client), &st)
		require.GreaterOrEqual(t, time.Since(start), delay)
		require.Equal(t, imap.CodeAuthenticationFailed, st.Code)
		answers = append(answers, st.Text)
		require.Equal(t, imap.StateNotAuthenticated, c.State())
		require.NoError(t, c.Login(ctx, "alice", "pencil"))
		require.NoError(t, c.Logout(ctx))
	}
	require.Equal(t, answers[0], answers[1])
}

// step sends one line of an AUTHENTICATE exchange and checks the line
// that comes back; a want ending in "*" is a prefix.
func (s *rawSession) step(send, want string) {
	s.t.Helper()
	_, err := s.nc.Write([]byte(send + "\r\n"))
	require.NoError(s.t, err)
	line := s.line()
	if prefix, ok := strings.CutSuffix(want, "*"); ok {
		require.True(s.t, strings.HasPrefix(line, prefix), "got %q, want %q", line, want)
	} else {
		require.Equal(s.t, want, line)
	}
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

// certTokenBackend adds EXTERNAL, by the client certificate's common
// name, and OAUTHBEARER, for the token "good-token", to imapmem.
type certTokenBackend struct{ *imapmem.Backend }

func (certTokenBackend) AuthExternal(_ context.Context, cs *tls.ConnectionState, authzid string) (string, error) {
	cn := cs.VerifiedChains[0][0].Subject.CommonName
	if authzid != "" && authzid != cn {
		return "", errors.New("authzid not permitted")
	}
	return cn, nil
}

func (certTokenBackend) AuthOAuthBearer(_ context.Context, req imap.OAuthBearerRequest) (string, error) {
	if req.Token != "good-token" {
		return "", &imap.OAuthBearerError{Status: "invalid_token", Scope: "imap"}
	}
	return req.Authzid, nil
}

// startCertTokenServer serves certTokenBackend with STARTTLS that asks
// for a client certificate, and returns a client config that trusts the
// server and one that also presents alice's certificate.
func startCertTokenServer(t *testing.T) (addr string, plain, withCert *tls.Config) {
	pair, err := testcert.New()
	require.NoError(t, err)
	cert, pool, err := sasltest.ClientCertificate("alice")
	require.NoError(t, err)
	store := imapmem.New()
	store.AddUser("alice", "pencil")
	scfg := pair.ServerConfig()
	scfg.ClientAuth, scfg.ClientCAs = tls.VerifyClientCertIfGiven, pool
	srv := &imap.Server{Backend: certTokenBackend{store}, TLSConfig: scfg, AllowInsecureAuth: true, AuthFailureDelay: -1}
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
	for _, tc := range []struct {
		name    string
		cfg     *tls.Config
		authzid string
		offered bool
		want    imap.ResponseCode // "" for success
	}{
		{"certificate", withCert, "", true, ""},
		{"certificate, own authzid", withCert, "alice", true, ""},
		{"certificate, other authzid", withCert, "bob", true, imap.CodeAuthenticationFailed},
		{"no certificate", plain, "", false, imap.CodeCannot},
		{"cleartext", nil, "", false, imap.CodeCannot},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testutil.Context(t)
			require.Equal(t, tc.offered, strings.Contains(strings.Join(authMechanisms(t, addr, tc.cfg), " "), "EXTERNAL"))
			c := dialSASL(t, addr, tc.cfg)
			err := c.Authenticate(ctx, imap.ExternalAuth(tc.authzid))
			if tc.want == "" {
				require.NoError(t, err)
				require.Equal(t, imap.StateAuthenticated, c.State())
				require.NoError(t, c.Logout(ctx))
				return
			}
			var st *imap.StatusResponse
			require.ErrorAs(t, err, &st)
			require.Equal(t, tc.want, st.Code)
		})
	}
}

// TestServer_OAUTHBEARER_RFC7628_3_2: a good token logs in; a bad one
// gets the server's JSON error as a continuation, the client's dummy
// response "\x01", then NO [AUTHENTICATIONFAILED] (RFC 7628 sections
// 3.2.2 and 3.2.3).
func TestServer_OAUTHBEARER_RFC7628_3_2(t *testing.T) {
	addr, plain, _ := startCertTokenServer(t)
	ctx := testutil.Context(t)
	c := dialSASL(t, addr, plain)
	var st *imap.StatusResponse
	require.ErrorAs(t, c.Authenticate(ctx, imap.OAuthBearerAuth("alice", "bad-token")), &st)
	require.Equal(t, imap.CodeAuthenticationFailed, st.Code)
	require.NoError(t, c.Authenticate(ctx, imap.OAuthBearerAuth("alice", "good-token")))
	require.Equal(t, imap.StateAuthenticated, c.State())
	require.NoError(t, c.Logout(ctx))

	x := dialRaw(t, addr)
	x.step("a1 AUTHENTICATE OAUTHBEARER "+b64("n,a=alice,\x01auth=Bearer bad-token\x01\x01"), "+ "+b64(`{"status":"invalid_token","scope":"imap"}`))
	x.step("AQ==", "a1 NO [AUTHENTICATIONFAILED] Authentication failed")
	x.step("a2 AUTHENTICATE OAUTHBEARER "+b64("n,a=alice,\x01auth=Bearer good-token\x01\x01"), "a2 OK [CAPABILITY IMAP4rev1 *")
}
