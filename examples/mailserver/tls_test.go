package main

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/smtp"
)

// tlsFiles writes a fresh certificate and key, loads them as -tls-cert
// and -tls-key would, and returns the server configuration and a client
// configuration that trusts it.
func tlsFiles(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	pair, err := testcert.New()
	require.NoError(t, err)
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(cert, pair.CertPEM, 0o600))
	require.NoError(t, os.WriteFile(key, pair.KeyPEM, 0o600))
	server, err = loadTLS(cert, key)
	require.NoError(t, err)
	return server, &tls.Config{RootCAs: pair.Roots, ServerName: "localhost"}
}

// TestLoadTLS: no files means no TLS; one without the other, or a file
// that is no PEM, is an error; TLS 1.2 is the least (RFC 8314 section
// 4.1).
func TestLoadTLS(t *testing.T) {
	cfg, err := loadTLS("", "")
	require.NoError(t, err)
	require.Nil(t, cfg)
	_, err = loadTLS("cert.pem", "")
	require.Error(t, err)
	_, err = loadTLS("", "key.pem")
	require.Error(t, err)
	junk := filepath.Join(t.TempDir(), "junk.pem")
	require.NoError(t, os.WriteFile(junk, []byte("not PEM"), 0o600))
	_, err = loadTLS(junk, junk)
	require.Error(t, err)
	cfg, _ = tlsFiles(t)
	require.Len(t, cfg.Certificates, 1)
	require.Equal(t, uint16(tls.VersionTLS12), cfg.MinVersion)
}

// fakeListener is a listener that only has an address.
type fakeListener struct {
	net.Listener
	addr net.Addr
}

func (l fakeListener) Addr() net.Addr { return l.addr }

// TestInsecureAuthRule: passwords may cross a loopback listener in the
// clear, any other only with -insecure-auth (RFC 8314 section 3).
func TestInsecureAuthRule(t *testing.T) {
	for _, tc := range []struct {
		ip       net.IP
		insecure bool
		want     bool
	}{
		{net.IPv4(127, 0, 0, 1), false, true},
		{net.IPv6loopback, false, true},
		{net.IPv4(192, 0, 2, 1), false, false},
		{net.IPv4zero, false, false},
		{net.IPv4(192, 0, 2, 1), true, true},
	} {
		c := Config{InsecureAuth: tc.insecure}
		require.Equal(t, tc.want, c.insecureAuth(fakeListener{addr: &net.TCPAddr{IP: tc.ip, Port: 25}}), "%v %v", tc.ip, tc.insecure)
	}
}

// TestTLSPorts: with a certificate, STARTTLS (RFC 3207) on both SMTP
// ports, STLS (RFC 2595) on POP3 and STARTTLS on IMAP work, and so do
// the implicit-TLS ports (RFC 8314); the Received line records TLS and
// AUTH (ESMTPS, ESMTPSA, RFC 3848).
func TestTLSPorts(t *testing.T) {
	serverTLS, clientTLS := tlsFiles(t)
	addr := "127.0.0.1:0"
	m, err := Start(Config{SMTP: addr, Submission: addr, SMTPS: addr, POP3: addr, POP3S: addr, IMAP: addr, IMAPS: addr,
		Domain: "example.test", UserList: "alice:secret", TLS: serverTLS})
	require.NoError(t, err)
	defer m.Shutdown(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	send := func(c *smtp.Client, auth bool, subject string) {
		t.Helper()
		defer c.Close()
		require.NoError(t, c.Hello(ctx, ""))
		if _, ok := c.TLSConnectionState(); !ok {
			require.True(t, c.Supports("STARTTLS"))
			require.NoError(t, c.StartTLS(ctx, clientTLS))
		}
		if auth {
			require.NoError(t, c.Auth(ctx, smtp.PlainAuth("", "alice", "secret")))
		}
		require.NoError(t, c.Send(ctx, "carol@example.org", []string{"alice@example.test"}, strings.NewReader("Subject: "+subject+"\r\n\r\nx\r\n"), nil))
		require.NoError(t, c.Quit(ctx))
	}
	c, err := smtp.Dial(ctx, m.Addr("smtp"), nil)
	require.NoError(t, err)
	send(c, false, "smtp")
	c, err = smtp.Dial(ctx, m.Addr("submission"), nil)
	require.NoError(t, err)
	send(c, true, "submission")
	c, err = smtp.DialTLS(ctx, m.Addr("smtps"), &smtp.Options{TLSConfig: clientTLS})
	require.NoError(t, err)
	send(c, true, "smtps")

	want := map[string]string{"smtp": "ESMTPS", "submission": "ESMTPSA", "smtps": "ESMTPSA"}
	for _, name := range []string{"imap", "imaps"} {
		var ic *imap.Client
		if name == "imap" {
			ic, err = imap.Dial(ctx, m.Addr(name), &imap.Options{TLSConfig: clientTLS})
			require.NoError(t, err)
			require.NoError(t, ic.StartTLS(ctx, clientTLS))
		} else {
			ic, err = imap.DialTLS(ctx, m.Addr(name), &imap.Options{TLSConfig: clientTLS})
			require.NoError(t, err)
		}
		require.NoError(t, ic.Login(ctx, "alice", "secret"))
		sel, err := ic.Select(ctx, "INBOX", nil)
		require.NoError(t, err)
		require.Equal(t, uint32(3), sel.NumMessages, name)
		for uid := uint32(1); uid <= 3; uid++ {
			body := string(imapBody(t, ic, uid))
			_, subject, _ := strings.Cut(body, "\r\nSubject: ")
			subject, _, _ = strings.Cut(subject, "\r\n")
			require.Contains(t, body, " with "+want[subject]+" id ", subject)
		}
		require.NoError(t, ic.Logout(ctx))
		ic.Close()
	}
	for _, name := range []string{"pop3", "pop3s"} {
		var p *pop3.Client
		if name == "pop3" {
			p, err = pop3.Dial(ctx, m.Addr(name), nil)
			require.NoError(t, err)
			require.NoError(t, p.StartTLS(ctx, clientTLS))
		} else {
			p, err = pop3.DialTLS(ctx, m.Addr(name), &pop3.Options{TLSConfig: clientTLS})
			require.NoError(t, err)
		}
		_, ok := p.TLSConnectionState()
		require.True(t, ok, name)
		require.NoError(t, p.Login(ctx, "alice", "secret"))
		list, err := p.List(ctx)
		require.NoError(t, err)
		require.Len(t, list, 3, name)
		require.NoError(t, p.Quit(ctx))
		p.Close()
	}
}

// publicIP returns an address of this host that is not loopback, where
// the cleartext rule applies, or nil.
func publicIP(t *testing.T) net.IP {
	addrs, err := net.InterfaceAddrs()
	require.NoError(t, err)
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			return n.IP
		}
	}
	return nil
}

// TestCleartextAuthRefused: on an address other than loopback, passwords
// are refused before TLS on every port (SMTP 538 5.7.11 per RFC 4954
// section 6 and AUTH not offered; POP3 -ERR [AUTH] per RFC 3206; IMAP
// LOGINDISABLED and NO [PRIVACYREQUIRED] per RFC 3501 and RFC 5530) and
// accepted once TLS is on.
func TestCleartextAuthRefused(t *testing.T) {
	ip := publicIP(t)
	if ip == nil {
		t.Skip("this host has no address but loopback; TestInsecureAuthRule covers the rule")
	}
	serverTLS, clientTLS := tlsFiles(t)
	addr := net.JoinHostPort(ip.String(), "0")
	m, err := Start(Config{Submission: addr, POP3: addr, IMAP: addr, Domain: "example.test", UserList: "alice:secret", TLS: serverTLS})
	require.NoError(t, err)
	defer m.Shutdown(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// SMTP, raw, since our client would not send the password.
	tp, err := textproto.Dial("tcp", m.Addr("submission"))
	require.NoError(t, err)
	_, _, err = tp.ReadResponse(220)
	require.NoError(t, err)
	require.NoError(t, tp.PrintfLine("EHLO client.example.org"))
	_, ext, err := tp.ReadResponse(250)
	require.NoError(t, err)
	require.NotContains(t, ext, "AUTH")
	require.Contains(t, ext, "STARTTLS")
	require.NoError(t, tp.PrintfLine("AUTH PLAIN %s", base64.StdEncoding.EncodeToString([]byte("\x00alice\x00secret"))))
	_, msg, err := tp.ReadResponse(538)
	require.NoError(t, err, msg)
	require.True(t, strings.HasPrefix(msg, "5.7.11"), msg)
	tp.Close()
	c, err := smtp.Dial(ctx, m.Addr("submission"), nil)
	require.NoError(t, err)
	require.NoError(t, c.Hello(ctx, ""))
	require.NoError(t, c.StartTLS(ctx, clientTLS))
	require.NoError(t, c.Auth(ctx, smtp.PlainAuth("", "alice", "secret")))
	c.Close()

	p, err := pop3.Dial(ctx, m.Addr("pop3"), &pop3.Options{InsecureAuth: true})
	require.NoError(t, err)
	var r *pop3.Response
	require.ErrorAs(t, p.Login(ctx, "alice", "secret"), &r)
	require.Equal(t, pop3.CodeAuth, r.Code)
	require.NoError(t, p.StartTLS(ctx, clientTLS))
	require.NoError(t, p.Login(ctx, "alice", "secret"))
	require.NoError(t, p.Quit(ctx))
	p.Close()

	// IMAP, raw, since our client sends no LOGIN under LOGINDISABLED.
	tp, err = textproto.Dial("tcp", m.Addr("imap"))
	require.NoError(t, err)
	greeting, err := tp.ReadLine()
	require.NoError(t, err)
	require.Contains(t, greeting, "LOGINDISABLED")
	require.NoError(t, tp.PrintfLine("a LOGIN alice secret"))
	line, err := tp.ReadLine()
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(line, "a NO [PRIVACYREQUIRED]"), line)
	tp.Close()
	ic, err := imap.Dial(ctx, m.Addr("imap"), &imap.Options{TLSConfig: clientTLS, InsecureAuth: true})
	require.NoError(t, err)
	defer ic.Close()
	require.True(t, ic.Supports(imap.CapLoginDisabled))
	require.ErrorIs(t, ic.Login(ctx, "alice", "secret"), imap.ErrClientState)
	require.NoError(t, ic.StartTLS(ctx, clientTLS))
	require.NoError(t, ic.Login(ctx, "alice", "secret"))
	require.NoError(t, ic.Logout(ctx))
}
