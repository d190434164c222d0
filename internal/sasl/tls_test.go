package sasl

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/sasl/sasltest"
	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/stretchr/testify/require"
)

// This file runs RunClient and RunServer over a real crypto/tls pipe
// with a minimal line protocol: "AUTH mech [ir]", "+ challenge", a
// response line, and "OK" or "NO reason".

type lineConn struct {
	r *bufio.Reader
	w *bufio.Writer
}

func newLineConn(c net.Conn) *lineConn {
	return &lineConn{bufio.NewReader(c), bufio.NewWriter(c)}
}

func (l *lineConn) send(s string) error {
	l.w.WriteString(s + "\r\n")
	return l.w.Flush()
}

func (l *lineConn) recv() (string, error) {
	s, err := l.r.ReadString('\n')
	return strings.TrimRight(s, "\r\n"), err
}

// lineClient is a ClientTransport over the test protocol.
type lineClient struct {
	*lineConn
	cs      *tls.ConnectionState
	offered []string
}

func (c *lineClient) Channel() (*tls.ConnectionState, []string) { return c.cs, c.offered }

func (c *lineClient) Start(mech, initial string) (bool, error) {
	return initial != "", c.send(strings.TrimSpace("AUTH " + mech + " " + initial))
}

func (c *lineClient) Read() (string, bool, error) {
	l, err := c.recv()
	switch {
	case err != nil:
		return "", false, err
	case strings.HasPrefix(l, "+ "):
		return l[2:], false, nil
	case l == "OK":
		return "", true, nil
	}
	return "", true, errors.New(l)
}

func (c *lineClient) Write(line string) error { return c.send(line) }

// lineServer is a ServerTransport over the test protocol.
type lineServer struct {
	*lineConn
	ir    string
	hasIR bool
}

func (s *lineServer) InitialResponse() (string, bool) { return s.ir, s.hasIR }

func (s *lineServer) Challenge(text string) (string, error) {
	if err := s.send("+ " + text); err != nil {
		return "", err
	}
	return s.recv()
}

// serveOne reads one AUTH line, runs the mechanism newServer returns and
// answers OK or NO with the error.
func serveOne(conn *tls.Conn, newServer func(cs *tls.ConnectionState, mech string) (Server, error)) error {
	lc := newLineConn(conn)
	line, err := lc.recv()
	if err != nil {
		return err
	}
	f := strings.Fields(line)
	if len(f) < 2 || f[0] != "AUTH" {
		return lc.send("NO syntax")
	}
	ls := &lineServer{lineConn: lc}
	if len(f) == 3 {
		ls.ir, ls.hasIR = f[2], true
	}
	cs := conn.ConnectionState()
	s, err := newServer(&cs, f[1])
	if err == nil {
		err = RunServer(s, ls)
	}
	if err != nil {
		lc.send("NO " + err.Error())
		return err
	}
	return lc.send("OK")
}

// tlsPair connects a TLS client and server over net.Pipe with the given
// version, handshaken.
func tlsPair(t *testing.T, version uint16, serverCfg *tls.Config, clientCfg *tls.Config) (client, server *tls.Conn) {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	serverCfg.MinVersion, serverCfg.MaxVersion = version, version
	server = tls.Server(a, serverCfg)
	client = tls.Client(b, clientCfg)
	done := make(chan error, 1)
	go func() { done <- server.Handshake() }()
	require.NoError(t, client.Handshake())
	require.NoError(t, <-done)
	a.SetDeadline(time.Now().Add(5 * time.Second))
	b.SetDeadline(time.Now().Add(5 * time.Second))
	return client, server
}

// scramOverTLS runs one SCRAM exchange over a TLS pipe: offered is what
// the server advertises, bindings computes what it checks.
func scramOverTLS(t *testing.T, version uint16, mech string, offered []string, bindings func(cs *tls.ConnectionState, cert *tls.Certificate) []ChannelBinding) (used string, clientErr, serverErr error) {
	pair, err := testcert.New()
	require.NoError(t, err)
	scfg := pair.ServerConfig()
	client, server := tlsPair(t, version, scfg, pair.ClientConfig())
	creds, err := NewScramCredentials(ScramSHA256, "pencil", nil, 4096)
	require.NoError(t, err)
	lookup := func(string, string) (ScramCredentials, error) { return creds, nil }
	srvDone := make(chan error, 1)
	go func() {
		srvDone <- serveOne(server, func(cs *tls.ConnectionState, m string) (Server, error) {
			used = m
			return NewScramServer(m, ScramServerOptions{Lookup: lookup, Bindings: bindings(cs, ConfiguredCertificate(scfg))})
		})
	}()
	ccs := client.ConnectionState()
	lc := &lineClient{lineConn: newLineConn(client), cs: &ccs, offered: offered}
	clientErr = RunClient(NewScramClient(mech, ScramClientOptions{Username: "user", Password: "pencil"}), lc)
	return used, clientErr, <-srvDone
}

// TestScramPlus_TLS_RFC5802_6 runs SCRAM-SHA-256-PLUS over TLS 1.3
// (tls-exporter, RFC 9266) and TLS 1.2 (tls-server-end-point, RFC 5929),
// checks that a binding mismatch fails, and that the downgrade to the
// base mechanism is detected.
func TestScramPlus_TLS_RFC5802_6(t *testing.T) {
	plusOffered := []string{ScramSHA256, ScramSHA256Plus}
	t.Run("TLS 1.3 tls-exporter", func(t *testing.T) {
		used, cerr, serr := scramOverTLS(t, tls.VersionTLS13, ScramSHA256, plusOffered, ServerChannelBindings)
		require.NoError(t, cerr)
		require.NoError(t, serr)
		require.Equal(t, ScramSHA256Plus, used, "the client picked -PLUS")
	})
	t.Run("TLS 1.2 tls-server-end-point", func(t *testing.T) {
		var types []string
		used, cerr, serr := scramOverTLS(t, tls.VersionTLS12, ScramSHA256Plus, plusOffered, func(cs *tls.ConnectionState, cert *tls.Certificate) []ChannelBinding {
			cbs := ServerChannelBindings(cs, cert)
			for _, cb := range cbs {
				types = append(types, cb.Type)
			}
			return cbs
		})
		require.NoError(t, cerr)
		require.NoError(t, serr)
		require.Equal(t, ScramSHA256Plus, used)
		require.Equal(t, []string{TLSServerEndPoint}, types, "no tls-exporter below TLS 1.3")
	})
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run("binding mismatch "+tls.VersionName(version), func(t *testing.T) {
			_, _, serr := scramOverTLS(t, version, ScramSHA256Plus, plusOffered, func(cs *tls.ConnectionState, cert *tls.Certificate) []ChannelBinding {
				cbs := ServerChannelBindings(cs, cert)
				for i := range cbs {
					cbs[i].Data = append([]byte{}, cbs[i].Data...)
					cbs[i].Data[0] ^= 1 // another channel: a man in the middle
				}
				return cbs
			})
			requireScramError(t, serr, ScramChannelBindingsDontMatch)
		})
	}
	t.Run("downgrade: -PLUS removed from the offer", func(t *testing.T) {
		used, cerr, serr := scramOverTLS(t, tls.VersionTLS13, ScramSHA256, []string{ScramSHA256}, ServerChannelBindings)
		require.Equal(t, ScramSHA256, used)
		requireScramError(t, serr, ScramServerDoesSupportCB)
		require.Error(t, cerr)
	})
	t.Run("server without binding accepts y", func(t *testing.T) {
		_, cerr, serr := scramOverTLS(t, tls.VersionTLS13, ScramSHA256, []string{ScramSHA256}, func(*tls.ConnectionState, *tls.Certificate) []ChannelBinding { return nil })
		require.NoError(t, serr)
		require.NoError(t, cerr)
	})
}

// TestChannelBinding_BothEnds_RFC9266_RFC5929: client and server compute
// the same octets from their ends of one connection.
func TestChannelBinding_BothEnds_RFC9266_RFC5929(t *testing.T) {
	pair, err := testcert.New()
	require.NoError(t, err)
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		scfg := pair.ServerConfig()
		client, server := tlsPair(t, version, scfg, pair.ClientConfig())
		ccs, scs := client.ConnectionState(), server.ConnectionState()
		cb, err := ClientChannelBinding(&ccs)
		require.NoError(t, err)
		got, ok := bindingOf(ServerChannelBindings(&scs, ConfiguredCertificate(scfg)), cb.Type)
		require.True(t, ok, "server offers %s", cb.Type)
		require.Equal(t, cb.Data, got.Data)
		if version == tls.VersionTLS13 {
			require.Equal(t, TLSExporter, cb.Type)
			require.Len(t, cb.Data, 32)
		} else {
			require.Equal(t, TLSServerEndPoint, cb.Type)
			require.Len(t, cb.Data, 32, "SHA-256 for an ECDSA-SHA256 certificate")
		}
	}
	_, err = ClientChannelBinding(nil)
	require.ErrorIs(t, err, ErrNoChannelBinding)
	_, err = ExporterBinding(&tls.ConnectionState{Version: tls.VersionTLS12, HandshakeComplete: true})
	require.ErrorIs(t, err, ErrNoChannelBinding)
	_, err = ClientChannelBinding(&tls.ConnectionState{Version: tls.VersionTLS12, HandshakeComplete: true, DidResume: true})
	require.ErrorIs(t, err, ErrNoChannelBinding, "resumed TLS 1.2 (RFC 7677 section 4)")
	require.Nil(t, ConfiguredCertificate(&tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return nil, nil }}))
	require.Nil(t, ConfiguredCertificate(nil))
}

// TestEndPointBinding_Hash_RFC5929_4_1 checks the hash selection.
func TestEndPointBinding_Hash_RFC5929_4_1(t *testing.T) {
	for _, tc := range []struct {
		alg  x509.SignatureAlgorithm
		size int
	}{
		{x509.SHA1WithRSA, 32}, {x509.ECDSAWithSHA1, 32}, {x509.MD5WithRSA, 32},
		{x509.SHA256WithRSA, 32}, {x509.ECDSAWithSHA384, 48}, {x509.SHA512WithRSAPSS, 64},
		{x509.PureEd25519, 0},
	} {
		cb, err := EndPointBinding(&x509.Certificate{Raw: []byte("der"), SignatureAlgorithm: tc.alg})
		if tc.size == 0 {
			require.ErrorIs(t, err, ErrNoChannelBinding, "%v", tc.alg)
			continue
		}
		require.NoError(t, err)
		require.Len(t, cb.Data, tc.size, "%v", tc.alg)
	}
}

// TestExternal_TLSClientCertificate_RFC4422_A runs EXTERNAL over TLS with
// and without a client certificate.
func TestExternal_TLSClientCertificate_RFC4422_A(t *testing.T) {
	pair, err := testcert.New()
	require.NoError(t, err)
	cert, pool, err := sasltest.ClientCertificate("alice")
	require.NoError(t, err)
	auth := func(cs *tls.ConnectionState, authzid string) (string, error) {
		cn := cs.VerifiedChains[0][0].Subject.CommonName
		if authzid != "" && authzid != cn {
			return "", errBad
		}
		return cn, nil
	}
	for _, tc := range []struct {
		name, authzid string
		withCert      bool
		want          string // identity, or "" for failure
	}{
		{"certificate, empty authzid", "", true, "alice"},
		{"certificate, own authzid", "alice", true, "alice"},
		{"certificate, other authzid", "bob", true, ""},
		{"no certificate", "", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scfg := pair.ServerConfig()
			scfg.ClientAuth, scfg.ClientCAs = tls.VerifyClientCertIfGiven, pool
			ccfg := pair.ClientConfig()
			if tc.withCert {
				ccfg.Certificates = []tls.Certificate{cert}
			}
			client, server := tlsPair(t, tls.VersionTLS13, scfg, ccfg)
			var ext Server
			srvDone := make(chan error, 1)
			go func() {
				srvDone <- serveOne(server, func(cs *tls.ConnectionState, m string) (Server, error) {
					ext = NewExternalServer(cs, auth)
					return ext, nil
				})
			}()
			lc := &lineClient{lineConn: newLineConn(client)}
			cerr := RunClient(NewExternalClient(tc.authzid), lc)
			serr := <-srvDone
			if tc.want == "" {
				if tc.withCert {
					require.ErrorIs(t, serr, errBad)
				} else {
					require.ErrorIs(t, serr, ErrNoClientCertificate)
				}
				require.ErrorContains(t, cerr, "NO ")
				return
			}
			require.NoError(t, serr)
			require.NoError(t, cerr)
			require.Equal(t, tc.want, ext.(*externalServer).Identity())
		})
	}
}
