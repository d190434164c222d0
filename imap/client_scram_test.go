package imap

import (
	"bufio"
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

// scramIMAPServer is a minimal IMAP server for the SASL tests of the
// client: a greeting with capabilities, AUTHENTICATE run by
// sasl.RunServer (challenges as "+ " continuations, RFC 3501 section
// 6.2.2), NOOP. It knows alice with the password "pencil".
type scramIMAPServer struct {
	caps    string
	cert    *tls.Certificate
	lines   chan string // every AUTHENTICATE line and response line
	authErr chan error
}

// imapChallenges carries challenges as continuations.
type imapChallenges struct {
	r     *bufio.Reader
	w     *bufio.Writer
	lines chan string
	ir    string
	hasIR bool
}

func (s *imapChallenges) InitialResponse() (string, bool) { return s.ir, s.hasIR }

func (s *imapChallenges) Challenge(text string) (string, error) {
	s.w.WriteString("+ " + text + "\r\n")
	if err := s.w.Flush(); err != nil {
		return "", err
	}
	l, err := s.r.ReadString('\n')
	l = strings.TrimRight(l, "\r\n")
	s.lines <- l
	return l, err
}

func (f *scramIMAPServer) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	br, bw := bufio.NewReader(conn), bufio.NewWriter(conn)
	say := func(s string) { bw.WriteString(s + "\r\n"); bw.Flush() }
	say("* OK [CAPABILITY " + f.caps + "] fake IMAP")
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		args := strings.Fields(line)
		if len(args) < 2 {
			return
		}
		switch strings.ToUpper(args[1]) {
		case "AUTHENTICATE":
			f.lines <- line
			ch := &imapChallenges{r: br, w: bw, lines: f.lines}
			if len(args) == 4 {
				ch.ir, ch.hasIR = args[3], true
			}
			say(args[0] + " " + f.auth(conn, args[2], ch))
		case "NOOP":
			say(args[0] + " OK done")
		default:
			say(args[0] + " BAD what")
		}
	}
}

func (f *scramIMAPServer) auth(conn net.Conn, mech string, ch *imapChallenges) string {
	var cs *tls.ConnectionState
	if tc, ok := conn.(*tls.Conn); ok {
		st := tc.ConnectionState()
		cs = &st
	}
	creds, err := sasl.NewScramCredentials(mech, "pencil", nil, 4096)
	if err != nil {
		return "NO unknown mechanism"
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
	if err == nil {
		err = sasl.RunServer(s, ch)
	}
	f.authErr <- err
	switch {
	case errors.Is(err, sasl.ErrCancelled):
		return "BAD cancelled"
	case err != nil:
		return "NO [AUTHENTICATIONFAILED] failed"
	}
	return "OK authenticated"
}

// scramIMAPClient connects a Client to f, over TLS with the given
// version, or cleartext when version is 0.
func scramIMAPClient(t *testing.T, f *scramIMAPServer, version uint16) *Client {
	t.Helper()
	f.lines, f.authErr = make(chan string, 16), make(chan error, 4)
	cc, sc := net.Pipe()
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
	return newTestClient(t, client, nil)
}

// TestClient_RFC3501_6_2_2_Scram authenticates with SCRAM-SHA-256: with
// SASL-IR the client-first-message goes on the command line (RFC 4959),
// without it after the first continuation; over TLS the client moves to
// -PLUS (RFC 5802 section 6).
func TestClient_RFC3501_6_2_2_Scram(t *testing.T) {
	ctx := testCtx(t)
	both := "AUTH=SCRAM-SHA-256 AUTH=SCRAM-SHA-256-PLUS"
	for _, tc := range []struct {
		name    string
		caps    string
		version uint16
		first   string // the AUTHENTICATE line, up to the initial response
		sasliR  bool
	}{
		{"TLS 1.3, SASL-IR", "IMAP4rev1 SASL-IR " + both, tls.VersionTLS13, "T1 AUTHENTICATE SCRAM-SHA-256-PLUS ", true},
		{"TLS 1.2, no SASL-IR", "IMAP4rev1 " + both, tls.VersionTLS12, "T1 AUTHENTICATE SCRAM-SHA-256-PLUS", false},
		{"cleartext", "IMAP4rev1 SASL-IR " + both, 0, "T1 AUTHENTICATE SCRAM-SHA-256 ", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &scramIMAPServer{caps: tc.caps}
			c := scramIMAPClient(t, f, tc.version)
			require.NoError(t, c.Authenticate(ctx, ScramSHA256Auth("alice", "pencil")))
			require.NoError(t, <-f.authErr)
			line := <-f.lines
			if tc.sasliR {
				require.True(t, strings.HasPrefix(line, tc.first), line)
			} else {
				require.Equal(t, tc.first, line)
			}
			require.Equal(t, StateAuthenticated, c.State())
			require.NoError(t, c.Noop(ctx))
		})
	}
}

// TestClient_RFC3501_6_2_2_ScramFailures: a wrong password is the tagged
// NO; a mechanism error cancels with "*" and the client stays usable.
func TestClient_RFC3501_6_2_2_ScramFailures(t *testing.T) {
	ctx := testCtx(t)
	f := &scramIMAPServer{caps: "IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-256"}
	c := scramIMAPClient(t, f, 0)
	var st *StatusResponse
	require.ErrorAs(t, c.Authenticate(ctx, ScramSHA256Auth("alice", "wrong")), &st)
	require.Equal(t, StatusNO, st.Type)
	require.Error(t, <-f.authErr)
	require.Equal(t, StateNotAuthenticated, c.State())

	err := c.Authenticate(ctx, ScramSHA256Auth("", "pencil"))
	require.Error(t, err, "an empty username is refused before anything is sent")
	require.NoError(t, c.Noop(ctx))

	err = c.Authenticate(ctx, ScramSHA256PlusAuth("alice", "pencil"))
	require.ErrorIs(t, err, sasl.ErrNoChannelBinding)
	require.NoError(t, c.Noop(ctx))
	require.NoError(t, c.Authenticate(ctx, ScramSHA256Auth("alice", "pencil")))
}

// failingNext starts like its mechanism and fails at the first challenge.
type failingNext struct{ SASLClient }

func (failingNext) Next([]byte) ([]byte, error) { return nil, errors.New("no answer") }

// TestClient_RFC3501_6_2_2_Cancel: a mechanism error sends "*"; the
// server's BAD ends the command, the reason is returned and the client
// goes on.
func TestClient_RFC3501_6_2_2_Cancel(t *testing.T) {
	ctx := testCtx(t)
	f := &scramIMAPServer{caps: "IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-256"}
	c := scramIMAPClient(t, f, 0)
	err := c.Authenticate(ctx, failingNext{ScramSHA256Auth("alice", "pencil")})
	require.ErrorContains(t, err, "SCRAM-SHA-256 cancelled: no answer")
	require.ErrorIs(t, <-f.authErr, sasl.ErrCancelled)
	<-f.lines
	require.Equal(t, "*", <-f.lines)
	require.NoError(t, c.Noop(ctx))
	require.Equal(t, StateNotAuthenticated, c.State())
}
