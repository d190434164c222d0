// Package clienttest runs the SASL tests of the smtp, pop3 and imap
// clients once: a fake server of each protocol, told by a Dialect how the
// protocol frames commands and challenges (RFC 4954 section 4, RFC 5034
// section 4, RFC 3501 section 6.2.2); Scram, the table of SCRAM checks
// (RFC 5802, RFC 7677) that each package runs with its client against
// that fake server; and Dovecot, the same client against a real server.
//
// It is sasltest's client half, in a package of its own because the
// tests of internal/sasl import sasltest, which therefore cannot import
// internal/sasl.
package clienttest

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
)

// Server is a fake server for a client's SASL tests. It knows one user,
// alice, whose password is "pencil" and whose OAUTHBEARER token (RFC 7628)
// is Token, when that is not "".
type Server struct {
	Dialect Dialect
	// Mechs are the mechanisms the server offers.
	Mechs []string
	// Lie makes SCRAM declare success without the server-final-message,
	// the proof that the server knows the password (RFC 5802 section 3).
	Lie   bool
	Token string

	// Lines receives each AUTH command line and the client's response
	// lines in its exchange, Used its mechanism, Errs its outcome: nil
	// when alice was authenticated.
	Lines, Used chan string
	Errs        chan error

	cert *tls.Certificate // for tls-server-end-point (RFC 5929)
}

// errUnknown refuses a user or a token the fake server does not know.
var errUnknown = errors.New("clienttest: unknown user or token")

// Connect serves one connection over a pipe, inside TLS of version
// (tls.VersionTLS13, ...) or in cleartext when version is 0, and returns
// the client's end, which is closed when t ends.
func (s *Server) Connect(t testing.TB, version uint16) net.Conn {
	t.Helper()
	s.Lines, s.Used, s.Errs = make(chan string, 16), make(chan string, 16), make(chan error, 16)
	cc, sc := net.Pipe()
	t.Cleanup(func() { cc.Close() })
	var client, server net.Conn = cc, sc
	if version != 0 {
		pair, err := testcert.New()
		if err != nil {
			t.Fatal(err)
		}
		conf := pair.ServerConfig()
		conf.MinVersion, conf.MaxVersion = version, version
		s.cert = sasl.ConfiguredCertificate(conf)
		server, client = tls.Server(sc, conf), tls.Client(cc, pair.ClientConfig())
	}
	go s.serve(server)
	return client
}

// serve greets, then answers each command line until the client goes.
func (s *Server) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	br, bw := bufio.NewReader(conn), bufio.NewWriter(conn)
	say := func(text string) {
		bw.WriteString(text + "\r\n")
		bw.Flush()
	}
	say(s.fill(s.Dialect.Greeting))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		tag, args := s.split(line)
		if len(args) == 0 {
			return
		}
		reply := s.fill(s.Dialect.Unknown)
		if r, ok := s.Dialect.Replies[strings.ToUpper(args[0])]; ok {
			reply = s.fill(r)
		} else if strings.EqualFold(args[0], s.Dialect.Auth) && len(args) > 1 {
			s.Lines <- line
			reply = s.auth(conn, args[1:], br, say)
		}
		say(tag + reply)
	}
}

// split takes the tag, with its space, off a tagged protocol's line.
func (s *Server) split(line string) (tag string, args []string) {
	args = strings.Fields(line)
	if s.Dialect.Tagged {
		if len(args) < 2 {
			return "", nil
		}
		return args[0] + " ", args[1:]
	}
	return "", args
}

// fill puts the offered mechanisms in place of "{mechs}".
func (s *Server) fill(text string) string {
	names := make([]string, len(s.Mechs))
	for i, m := range s.Mechs {
		names[i] = s.Dialect.MechPrefix + m
	}
	return strings.ReplaceAll(text, "{mechs}", strings.Join(names, " "))
}

// auth runs one exchange: args are the mechanism and perhaps the initial
// response. It returns the final reply.
func (s *Server) auth(conn net.Conn, args []string, br *bufio.Reader, say func(string)) string {
	s.Used <- args[0]
	t := &sasl.LineTransport{Exchange: func(challenge string) (string, error) {
		say(s.Dialect.Challenge + challenge)
		line, err := br.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		s.Lines <- line
		return line, err
	}}
	if len(args) > 1 {
		t.Initial, t.HasInitial = args[1], true
	}
	mech, err := s.mechanism(conn, args[0])
	if err == nil {
		err = sasl.RunServer(mech, t)
	}
	s.Errs <- err
	switch {
	case err == nil:
		return s.Dialect.Success
	case errors.Is(err, sasl.ErrCancelled) && s.Dialect.Cancelled != "":
		return s.Dialect.Cancelled
	}
	return s.Dialect.Failure
}

// mechanism returns the server side of mech for alice.
func (s *Server) mechanism(conn net.Conn, mech string) (sasl.Server, error) {
	if mech == sasl.OAuthBearer && s.Token != "" {
		return sasl.NewOAuthBearerServer(func(req sasl.OAuthBearerRequest) (string, error) {
			if req.Token != s.Token {
				return "", errUnknown
			}
			return "alice", nil
		}), nil
	}
	creds, err := sasl.NewScramCredentials(mech, "pencil", nil, 4096)
	if err != nil {
		return nil, err
	}
	var cs *tls.ConnectionState
	if tc, ok := conn.(*tls.Conn); ok {
		st := tc.ConnectionState()
		cs = &st
	}
	srv, err := sasl.NewScramServer(mech, sasl.ScramServerOptions{
		Lookup: func(_, user string) (sasl.ScramCredentials, error) {
			if user != "alice" {
				return sasl.ScramCredentials{}, errUnknown
			}
			return creds, nil
		},
		Bindings: sasl.ServerChannelBindings(cs, s.cert),
	})
	if err != nil || !s.Lie {
		return srv, err
	}
	return lyingServer{srv}, nil
}

// lyingServer declares success without sending the server signature.
type lyingServer struct{ sasl.Server }

// Next runs SCRAM and drops the server-final-message from its success.
func (l lyingServer) Next(resp []byte) ([]byte, bool, error) {
	ch, done, err := l.Server.Next(resp)
	if done {
		ch = nil
	}
	return ch, done, err
}
