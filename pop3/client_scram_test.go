package pop3

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

// scramPOP3Server is a minimal POP3 server for the SASL tests of the
// client: CAPA, AUTH run by sasl.RunServer (challenges as "+ " lines, RFC
// 5034 section 4), NOOP. It knows alice with the password "pencil".
type scramPOP3Server struct {
	mechs   string
	cert    *tls.Certificate
	lines   chan string // every AUTH line and response line received
	authErr chan error
}

// pop3Challenges carries challenges as "+ " lines.
type pop3Challenges struct {
	r     *bufio.Reader
	w     *bufio.Writer
	lines chan string
	ir    string
	hasIR bool
}

func (s *pop3Challenges) InitialResponse() (string, bool) { return s.ir, s.hasIR }

func (s *pop3Challenges) Challenge(text string) (string, error) {
	s.w.WriteString("+ " + text + "\r\n")
	if err := s.w.Flush(); err != nil {
		return "", err
	}
	l, err := s.r.ReadString('\n')
	l = strings.TrimRight(l, "\r\n")
	s.lines <- l
	return l, err
}

func (f *scramPOP3Server) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	br, bw := bufio.NewReader(conn), bufio.NewWriter(conn)
	say := func(s string) { bw.WriteString(s + "\r\n"); bw.Flush() }
	say("+OK fake POP3")
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		args := strings.Fields(line)
		switch strings.ToUpper(args[0]) {
		case "CAPA":
			say("+OK\r\nSASL " + f.mechs + "\r\n.")
		case "AUTH":
			f.lines <- line
			ch := &pop3Challenges{r: br, w: bw, lines: f.lines}
			if len(args) == 3 {
				ch.ir, ch.hasIR = args[2], true
			}
			say(f.auth(conn, args[1], ch))
		case "NOOP":
			say("+OK")
		default:
			say("-ERR what")
		}
	}
}

func (f *scramPOP3Server) auth(conn net.Conn, mech string, ch *pop3Challenges) string {
	var cs *tls.ConnectionState
	if tc, ok := conn.(*tls.Conn); ok {
		st := tc.ConnectionState()
		cs = &st
	}
	var s sasl.Server
	var err error
	switch {
	case strings.HasPrefix(mech, "SCRAM-"):
		creds, _ := sasl.NewScramCredentials(mech, "pencil", nil, 4096)
		s, err = sasl.NewScramServer(mech, sasl.ScramServerOptions{
			Lookup: func(_, user string) (sasl.ScramCredentials, error) {
				if user != "alice" {
					return sasl.ScramCredentials{}, errors.New("unknown")
				}
				return creds, nil
			},
			Bindings: sasl.ServerChannelBindings(cs, f.cert),
		})
	case mech == "OAUTHBEARER":
		s = sasl.NewOAuthBearerServer(func(req sasl.OAuthBearerRequest) (string, error) {
			if len(req.Token) == 300 {
				return "alice", nil
			}
			return "", errors.New("bad token")
		})
	default:
		return "-ERR unknown mechanism"
	}
	if err == nil {
		err = sasl.RunServer(s, ch)
	}
	f.authErr <- err
	if err != nil {
		return "-ERR [AUTH] Authentication failed"
	}
	return "+OK maildrop ready"
}

// scramPOP3Client connects a Client to f, over TLS with the given
// version, or cleartext when version is 0.
func scramPOP3Client(t *testing.T, f *scramPOP3Server, version uint16) *Client {
	t.Helper()
	f.lines, f.authErr = make(chan string, 16), make(chan error, 4)
	cc, sc := net.Pipe()
	t.Cleanup(func() { cc.Close() })
	var client, server net.Conn = cc, sc
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
	return c
}

// TestClient_RFC5034_ScramSHA256 authenticates with SCRAM-SHA-256: over
// TLS the client learns the SASL list with CAPA and moves to -PLUS (RFC
// 5802 section 6), in cleartext it stays on the base mechanism.
func TestClient_RFC5034_ScramSHA256(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		version uint16
		want    string
	}{
		{"TLS 1.3", tls.VersionTLS13, "AUTH SCRAM-SHA-256-PLUS "},
		{"TLS 1.2", tls.VersionTLS12, "AUTH SCRAM-SHA-256-PLUS "},
		{"cleartext", 0, "AUTH SCRAM-SHA-256 "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &scramPOP3Server{mechs: "SCRAM-SHA-256 SCRAM-SHA-256-PLUS"}
			c := scramPOP3Client(t, f, tc.version)
			require.NoError(t, c.Auth(ctx, ScramSHA256Auth("alice", "pencil")))
			require.NoError(t, <-f.authErr)
			require.True(t, strings.HasPrefix(<-f.lines, tc.want))
			require.Equal(t, StateTransaction, c.State())
			require.NoError(t, c.Noop(ctx))
		})
	}
	f := &scramPOP3Server{mechs: "SCRAM-SHA-256"}
	c := scramPOP3Client(t, f, 0)
	var r *Response
	require.ErrorAs(t, c.Auth(ctx, ScramSHA256Auth("alice", "wrong")), &r)
	require.Equal(t, CodeAuth, r.Code)
	require.Error(t, <-f.authErr)
}

// TestClient_RFC5034_4_LongInitialResponse: an initial response that would
// make the AUTH line longer than 255 octets waits for the server's empty
// challenge instead.
func TestClient_RFC5034_4_LongInitialResponse(t *testing.T) {
	ctx := context.Background()
	f := &scramPOP3Server{mechs: "OAUTHBEARER"}
	c := scramPOP3Client(t, f, tls.VersionTLS13)
	require.NoError(t, c.Auth(ctx, OAuthBearerAuth("alice", strings.Repeat("t", 300))))
	require.NoError(t, <-f.authErr)
	require.Equal(t, "AUTH OAUTHBEARER", <-f.lines)
	require.Len(t, <-f.lines, 4*((len("n,a=alice,\x01auth=Bearer \x01\x01")+300+2)/3))
}
