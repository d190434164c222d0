package smtp

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/sasl"
	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/stretchr/testify/require"
)

// scramSMTPServer is a minimal SMTP server for the SCRAM tests of the
// client: EHLO, AUTH run by sasl.RunServer, NOOP. It knows alice with the
// password "pencil"; lie makes it claim success without the
// server-final-message.
type scramSMTPServer struct {
	mechs   string
	cert    *tls.Certificate
	lie     bool
	used    chan string // the mechanism of each AUTH
	authErr chan error
}

// smtpChallenges carries challenges as 334 replies (RFC 4954 4).
type smtpChallenges struct {
	r     *bufio.Reader
	w     *bufio.Writer
	ir    string
	hasIR bool
}

func (s *smtpChallenges) InitialResponse() (string, bool) { return s.ir, s.hasIR }

func (s *smtpChallenges) Challenge(text string) (string, error) {
	s.w.WriteString("334 " + text + "\r\n")
	if err := s.w.Flush(); err != nil {
		return "", err
	}
	l, err := s.r.ReadString('\n')
	return strings.TrimRight(l, "\r\n"), err
}

func (f *scramSMTPServer) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	br, bw := bufio.NewReader(conn), bufio.NewWriter(conn)
	say := func(s string) { bw.WriteString(s + "\r\n"); bw.Flush() }
	say("220 fake ESMTP")
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		args := strings.Fields(strings.TrimRight(line, "\r\n"))
		switch strings.ToUpper(args[0]) {
		case "EHLO":
			say("250-fake\r\n250 AUTH " + f.mechs)
		case "AUTH":
			ch := &smtpChallenges{r: br, w: bw}
			if len(args) == 3 {
				ch.ir, ch.hasIR = args[2], true
			}
			say(f.auth(conn, args[1], ch))
		case "NOOP":
			say("250 ok")
		default:
			say("500 what")
		}
	}
}

func (f *scramSMTPServer) auth(conn net.Conn, mech string, ch *smtpChallenges) string {
	f.used <- mech
	var cs *tls.ConnectionState
	if tc, ok := conn.(*tls.Conn); ok {
		st := tc.ConnectionState()
		cs = &st
	}
	creds, err := sasl.NewScramCredentials(mech, "pencil", nil, 4096)
	if err != nil {
		f.authErr <- err
		return "504 5.5.4 Unrecognized authentication type"
	}
	s, err := sasl.NewScramServer(mech, sasl.ScramServerOptions{
		Lookup: func(_, user string) (sasl.ScramCredentials, error) {
			if user != "alice" {
				return sasl.ScramCredentials{}, errors.New("unknown")
			}
			return creds, nil
		},
		Bindings: sasl.ServerChannelBindings(cs, f.cert),
	})
	if err == nil && f.lie {
		s = lyingServer{s}
	}
	if err == nil {
		err = sasl.RunServer(s, ch)
	}
	f.authErr <- err
	if err != nil {
		return "535 5.7.8 Authentication credentials invalid"
	}
	return "235 2.7.0 Authentication successful"
}

// lyingServer declares success without sending the server signature.
type lyingServer struct{ sasl.Server }

func (l lyingServer) Next(resp []byte) ([]byte, bool, error) {
	ch, done, err := l.Server.Next(resp)
	if done {
		ch = nil
	}
	return ch, done, err
}

// scramClient connects a Client to a scramSMTPServer, over TLS with the
// given version, or cleartext when version is 0.
func scramClient(t *testing.T, f *scramSMTPServer, version uint16) *Client {
	t.Helper()
	f.used, f.authErr = make(chan string, 4), make(chan error, 4)
	cc, sc := net.Pipe()
	t.Cleanup(func() { cc.Close() })
	var client net.Conn = cc
	var server net.Conn = sc
	if version != 0 {
		pair, err := testcert.New()
		require.NoError(t, err)
		scfg := pair.ServerConfig()
		scfg.MinVersion, scfg.MaxVersion = version, version
		f.cert = sasl.ConfiguredCertificate(scfg)
		server = tls.Server(sc, scfg)
		client = tls.Client(cc, pair.ClientConfig())
	}
	go f.serve(server)
	c, err := NewClient(context.Background(), client, nil)
	require.NoError(t, err)
	require.NoError(t, c.Hello(context.Background(), "client.test"))
	return c
}

// TestClient_RFC7677_ScramSHA256 authenticates with SCRAM-SHA-256: over
// TLS 1.3 and 1.2 the client moves to -PLUS (RFC 5802 6, with
// tls-exporter and tls-server-end-point), in cleartext it stays on the
// base mechanism.
func TestClient_RFC7677_ScramSHA256(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		version uint16
		auth    SASLClient
		want    string
	}{
		{"TLS 1.3", tls.VersionTLS13, ScramSHA256Auth("alice", "pencil"), "SCRAM-SHA-256-PLUS"},
		{"TLS 1.2", tls.VersionTLS12, ScramSHA256Auth("alice", "pencil"), "SCRAM-SHA-256-PLUS"},
		{"cleartext", 0, ScramSHA256Auth("alice", "pencil"), "SCRAM-SHA-256"},
		{"SHA-1 over TLS", tls.VersionTLS13, ScramSHA1Auth("alice", "pencil"), "SCRAM-SHA-1-PLUS"},
		{"-PLUS asked for", tls.VersionTLS13, ScramSHA1PlusAuth("alice", "pencil"), "SCRAM-SHA-1-PLUS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &scramSMTPServer{mechs: "PLAIN SCRAM-SHA-1 SCRAM-SHA-1-PLUS SCRAM-SHA-256 SCRAM-SHA-256-PLUS"}
			c := scramClient(t, f, tc.version)
			require.NoError(t, c.Auth(ctx, tc.auth))
			require.Equal(t, tc.want, <-f.used)
			require.NoError(t, <-f.authErr)
			require.NoError(t, c.Noop(ctx))
		})
	}
}

// TestClient_RFC5802_ScramFailures: a wrong password is the server's 535;
// a server that claims success without proof fails Auth; -PLUS needs TLS;
// over TLS without an offered -PLUS the client says "y" (RFC 5802 6).
func TestClient_RFC5802_ScramFailures(t *testing.T) {
	ctx := context.Background()
	f := &scramSMTPServer{mechs: "SCRAM-SHA-256 SCRAM-SHA-256-PLUS"}
	c := scramClient(t, f, tls.VersionTLS13)
	r := asReply(t, c.Auth(ctx, ScramSHA256Auth("alice", "wrong")))
	require.Equal(t, CodeAuthInvalid, r.Code)
	<-f.used
	var se *sasl.ScramError
	require.ErrorAs(t, <-f.authErr, &se)
	require.Equal(t, sasl.ScramInvalidProof, se.Reason)

	f = &scramSMTPServer{mechs: "SCRAM-SHA-256", lie: true}
	c = scramClient(t, f, 0)
	require.ErrorIs(t, c.Auth(ctx, ScramSHA256Auth("alice", "pencil")), sasl.ErrServerNotVerified)

	f = &scramSMTPServer{mechs: "SCRAM-SHA-256 SCRAM-SHA-256-PLUS"}
	c = scramClient(t, f, 0)
	require.ErrorIs(t, c.Auth(ctx, ScramSHA256PlusAuth("alice", "pencil")), sasl.ErrNoChannelBinding)
	require.Empty(t, f.used, "nothing was sent")
	require.NoError(t, c.Noop(ctx))

	f = &scramSMTPServer{mechs: "SCRAM-SHA-256"}
	c = scramClient(t, f, tls.VersionTLS13)
	r = asReply(t, c.Auth(ctx, ScramSHA256Auth("alice", "pencil")))
	require.Equal(t, CodeAuthInvalid, r.Code)
	require.Equal(t, "SCRAM-SHA-256", <-f.used)
	require.ErrorAs(t, <-f.authErr, &se)
	require.Equal(t, sasl.ScramServerDoesSupportCB, se.Reason, "the client said y over TLS")
}
