package smtp_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/peertest"
	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/mailwire/mailwire/smtp/smtptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Real third-party clients deliver to our server on 127.0.0.1 (issue 2,
// "Must hold when done"), and every message arrives byte-exact: what the
// backend recorded is compared with the octets the client sent, after the
// client's dot-stuffing (RFC 5321 4.5.2) was undone by the server.

// peerMessage is a message the peer tests send: CRLF line ends, a line
// that needs dot-stuffing, a lone "." line and 8-bit text.
const peerMessage = "From: Peer <peer@x.test>\r\nTo: bob@y.test\r\nSubject: peer test\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
	"first line\r\n.leading dot\r\n.\r\n..two dots\r\n\xc3\xa9t\xc3\xa9\r\nlast line\r\n"

// runPeer runs a peer program and fails the test, with its output, if it
// does not exit 0.
func runPeer(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.CommandContext(testutil.Context(t), name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "%s %v\nstdout: %s\nstderr: %s", name, args, out, stderr.String())
	return out
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

func port(t *testing.T, addr string) string {
	_, p, ok := strings.Cut(addr, ":")
	require.True(t, ok)
	return p
}

// Python's smtplib, plain, with STARTTLS (RFC 3207) and with AUTH PLAIN
// and LOGIN (RFC 4954): send_message to three recipients from To and Cc,
// and sendmail with a message whose "." lines smtplib must stuff.
func TestPeerPythonSmtplib_RFC5321_RFC3207_RFC4954(t *testing.T) {
	python := peertest.Need(t, "python3")
	script, err := filepath.Abs("testdata/peers/smtplib_send.py")
	require.NoError(t, err)
	for _, mode := range []string{"plain", "starttls", "auth-plain", "auth-login"} {
		t.Run(mode, func(t *testing.T) {
			var opts []smtptest.Option
			switch mode {
			case "starttls":
				opts = append(opts, smtptest.WithTLS())
			case "auth-plain", "auth-login":
				opts = append(opts, smtptest.WithUser("alice", "s3cret"), smtptest.WithInsecureAuth())
			}
			s := smtptest.NewServer(t, opts...)
			args := []string{script, "127.0.0.1", port(t, s.Addr), mode}
			switch mode {
			case "starttls":
				args = append(args, writeFile(t, "ca.pem", s.CertificatePEM()))
			case "auth-plain", "auth-login":
				args = append(args, "alice", "s3cret")
			}
			var res struct {
				Sent    []string
				Refused int
			}
			require.NoError(t, json.Unmarshal(runPeer(t, python, args...), &res))
			require.Zero(t, res.Refused)
			msgs, err := s.WaitMessages(testutil.Context(t), 2)
			require.NoError(t, err)
			require.Len(t, msgs, 2)
			require.Len(t, res.Sent, 2)
			for i, m := range msgs {
				sent, err := base64.StdEncoding.DecodeString(res.Sent[i])
				require.NoError(t, err)
				assert.Equal(t, string(sent), string(m.Data), "message %d", i)
				assert.Equal(t, "python.test", m.Hostname)
				assert.Equal(t, mode == "starttls", m.TLS != nil)
				if strings.HasPrefix(mode, "auth") {
					assert.Equal(t, "alice", m.Identity)
				}
			}
			assert.Equal(t, "alice@x.test", msgs[0].From)
			assert.Equal(t, []string{"bob@y.test", "carol@y.test", "dave@z.test"}, msgs[0].To)
			assert.Equal(t, "", msgs[1].From)
			assert.Equal(t, "Subject: raw\r\n\r\n.\r\n..two dots\r\nend\r\n", string(msgs[1].Data))
		})
	}
}

// swaks, plain, with STARTTLS (--tls), AUTH PLAIN and LOGIN, and
// PIPELINING (RFC 2920), sending the message from a --data file. swaks
// ends the data with a CRLF of its own before the terminating dot even
// when the message already ends with one, so the server sees one CRLF
// more than the file holds. --tls needs Perl's Net::SSLeay
// (libnet-ssleay-perl), which swaks only recommends.
func TestPeerSwaks_RFC5321_RFC2920_RFC3207_RFC4954(t *testing.T) {
	swaks := peertest.Need(t, "swaks")
	file := writeFile(t, "msg.eml", []byte(peerMessage))
	cases := []struct {
		name string
		opts []smtptest.Option
		args []string
		user string
	}{
		{name: "plain"},
		{name: "starttls", opts: []smtptest.Option{smtptest.WithTLS()}, args: []string{"--tls"}},
		{name: "auth-plain", opts: []smtptest.Option{smtptest.WithUser("alice", "s3cret"), smtptest.WithInsecureAuth()},
			args: []string{"--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "s3cret"}, user: "alice"},
		{name: "auth-login-tls", opts: []smtptest.Option{smtptest.WithTLS(), smtptest.WithUser("alice", "s3cret")},
			args: []string{"--tls", "--auth", "LOGIN", "--auth-user", "alice", "--auth-password", "s3cret"}, user: "alice"},
		{name: "pipelining", args: []string{"--pipeline"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := smtptest.NewServer(t, tc.opts...)
			args := append([]string{"--server", s.Addr, "--helo", "swaks.test", "--from", "peer@x.test",
				"--to", "bob@y.test,carol@y.test", "--data", "@" + file, "--timeout", "30"}, tc.args...)
			runPeer(t, swaks, args...)
			msgs, err := s.WaitMessages(testutil.Context(t), 1)
			require.NoError(t, err)
			m := msgs[0]
			assert.Equal(t, peerMessage+"\r\n", string(m.Data))
			assert.Equal(t, "peer@x.test", m.From)
			assert.Equal(t, []string{"bob@y.test", "carol@y.test"}, m.To)
			assert.Equal(t, "swaks.test", m.Hostname)
			assert.Equal(t, tc.user, m.Identity)
			assert.Equal(t, strings.Contains(tc.name, "tls"), m.TLS != nil)
		})
	}
}

// curl's smtp:// client, plain, with STARTTLS required (--ssl-reqd,
// RFC 3207) and verified against the test certificate, and with AUTH.
// curl sends the uploaded file as it is, so it arrives byte-exact.
func TestPeerCurl_RFC5321_RFC3207_RFC4954(t *testing.T) {
	curl := peertest.Need(t, "curl")
	file := writeFile(t, "msg.eml", []byte(peerMessage))
	cases := []struct {
		name string
		opts []smtptest.Option
		args func(s *smtptest.Server) []string
		user string
	}{
		{name: "plain"},
		{name: "starttls", opts: []smtptest.Option{smtptest.WithTLS()}, args: func(s *smtptest.Server) []string {
			return []string{"--ssl-reqd", "--cacert", writeFile(t, "ca.pem", s.CertificatePEM())}
		}},
		{name: "auth", opts: []smtptest.Option{smtptest.WithUser("alice", "s3cret"), smtptest.WithInsecureAuth()}, args: func(*smtptest.Server) []string {
			return []string{"--user", "alice:s3cret"}
		}, user: "alice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := smtptest.NewServer(t, tc.opts...)
			args := []string{"-sS", "--max-time", "30", "smtp://" + s.Addr + "/curl.test",
				"--mail-from", "peer@x.test", "--mail-rcpt", "bob@y.test", "--mail-rcpt", "carol@y.test",
				"--upload-file", file}
			if tc.args != nil {
				args = append(args, tc.args(s)...)
			}
			runPeer(t, curl, args...)
			msgs, err := s.WaitMessages(testutil.Context(t), 1)
			require.NoError(t, err)
			m := msgs[0]
			assert.Equal(t, peerMessage, string(m.Data))
			assert.Equal(t, "peer@x.test", m.From)
			assert.Equal(t, []string{"bob@y.test", "carol@y.test"}, m.To)
			assert.Equal(t, "curl.test", m.Hostname)
			assert.Equal(t, tc.user, m.Identity)
			assert.Equal(t, tc.name == "starttls", m.TLS != nil)
		})
	}
}

// curl refuses nothing itself: a file with bare LF line ends reaches the
// server, which refuses it (554 5.6.0, the SMTP smuggling defence) and
// keeps nothing.
func TestPeerCurlBareLFRefused(t *testing.T) {
	curl := peertest.Need(t, "curl")
	s := smtptest.NewServer(t)
	file := writeFile(t, "lf.eml", []byte("Subject: lf\n\nbare line feeds\n"))
	cmd := exec.CommandContext(testutil.Context(t), curl, "-v", "--max-time", "30", "smtp://"+s.Addr,
		"--mail-from", "peer@x.test", "--mail-rcpt", "bob@y.test", "--upload-file", file)
	out, err := cmd.CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "< 554 5.6.0 ")
	assert.Empty(t, s.Messages())
}

// Postfix's smtp-source: several sessions, 100 messages, no error, and
// each message arrives whole: its headers, its body of digit-and-X lines,
// and a Message-Id of its own (none lost, none twice). Run once with a
// new connection per message and once reusing sessions (-d).
func TestPeerPostfixSmtpSource(t *testing.T) {
	source := peertest.Need(t, "smtp-source")
	for _, mode := range []string{"connection-per-message", "reuse"} {
		t.Run(mode, func(t *testing.T) {
			s := smtptest.NewServer(t)
			args := []string{"-s", "4", "-m", "100", "-l", "2000", "-c", "-f", "from@x.test", "-t", "to@y.test"}
			if mode == "reuse" {
				args = append(args, "-d")
			}
			runPeer(t, source, append(args, s.Addr)...)
			msgs, err := s.WaitMessages(testutil.Context(t), 100)
			require.NoError(t, err)
			require.Len(t, msgs, 100)
			ids := make(map[string]bool)
			for i, m := range msgs {
				require.Equal(t, "from@x.test", m.From, "message %d", i)
				require.Equal(t, []string{"to@y.test"}, m.To)
				h, err := m.Header()
				require.NoError(t, err)
				require.Equal(t, "<from@x.test>", h.Get("From"))
				require.Equal(t, "<to@y.test>", h.Get("To"))
				id := h.Get("Message-Id")
				require.False(t, ids[id], "Message-Id %s twice", id)
				ids[id] = true
				body := m.Body()
				require.GreaterOrEqual(t, len(body), 2000, "message %d", i)
				require.True(t, bytes.HasSuffix(body, []byte("\r\n")))
				for _, line := range bytes.Split(body[:len(body)-2], []byte("\r\n")) {
					require.Empty(t, bytes.Trim(line, "0123456789X"), "message %d: line %q", i, line)
				}
			}
			assert.Len(t, ids, 100, strconv.Itoa(len(ids))+" distinct messages")
		})
	}
}
