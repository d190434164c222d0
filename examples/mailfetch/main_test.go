package main

import (
	"bytes"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3mem"
	"github.com/mailwire/mailwire/pop3/pop3test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeCA(t *testing.T, pem []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(p, pem, 0o600))
	return p
}

// RFC 2595: -starttls upgrades with STLS and trusts the -cafile
// certificate; the server refuses the password over cleartext (RFC 3206
// [AUTH]), so the run without it fails with status 1. -debug traces the
// exchange with the password redacted.
func TestCommandSTLS_RFC2595(t *testing.T) {
	msgs := testMessages()
	s := pop3test.NewServer(t, pop3test.WithTLS(), pop3test.WithUser("alice", "s3cr3t-pw", msgs...))
	ca := writeCA(t, s.CertificatePEM())
	dir := t.TempDir()

	code, stdout, stderr := runCmd("-pop3", s.Addr, "-user", "alice", "-pass", "s3cr3t-pw", "-dir", dir)
	assert.Equal(t, 1, code)
	assert.Equal(t, "fetched 0 new messages, 0 already present, 0 deleted\n", stdout)
	assert.Contains(t, stderr, "mailfetch: ")
	assert.Empty(t, files(t, dir, "new"))

	code, stdout, stderr = runCmd("-pop3", s.Addr, "-user", "alice", "-pass", "s3cr3t-pw", "-dir", dir,
		"-starttls", "-cafile", ca, "-delete", "-debug")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 5 new messages, 0 already present, 5 deleted\n", stdout)
	assert.Contains(t, stderr, "C: STLS")
	assert.Contains(t, stderr, "C: RETR 5")
	assert.Contains(t, stderr, "C: QUIT")
	assert.NotContains(t, stderr, "s3cr3t-pw")
	assert.ElementsMatch(t, storedAll(msgs), files(t, dir, "new"))
	require.NoError(t, s.WaitIdle(testCtx(t)))
	assert.Len(t, s.Deleted("alice"), 5)
}

// A certificate the -cafile does not vouch for stops the run before the
// password is sent (RFC 2595 section 2.4).
func TestCommandSTLSUntrusted_RFC2595(t *testing.T) {
	s := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithTLS(), pop3test.WithUser("alice", "secret", testMessages()[:1]...))
	other, err := testcert.New()
	require.NoError(t, err)
	code, _, stderr := runCmd("-pop3", s.Addr, "-user", "alice", "-pass", "secret", "-dir", t.TempDir(),
		"-starttls", "-cafile", writeCA(t, other.CertPEM))
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "certificate")
}

// RFC 8314 section 3.3: -tls speaks TLS from the first octet, as on port
// 995.
func TestCommandImplicitTLS_RFC8314(t *testing.T) {
	pair, err := testcert.New()
	require.NoError(t, err)
	store := &pop3mem.Store{}
	store.AddUser("alice", "secret")
	msg := []byte("Subject: tls\r\n\r\nover TLS\r\n")
	_, err = store.Deliver("alice", msg)
	require.NoError(t, err)
	srv := &pop3.Server{Backend: store, AuthFailureDelay: -1}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(tls.NewListener(l, pair.ServerConfig()))
	}()
	t.Cleanup(func() { srv.Close(); <-done })

	dir := t.TempDir()
	code, stdout, stderr := runCmd("-pop3", l.Addr().String(), "-user", "alice", "-pass", "secret", "-dir", dir,
		"-tls", "-cafile", writeCA(t, pair.CertPEM))
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 1 new messages, 0 already present, 0 deleted\n", stdout)
	assert.Equal(t, []string{asStored(msg)}, files(t, dir, "new"))
}

// A bad command line exits with status 2 and the usage.
func TestCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-pop3", "h:1", "-user", "u"},
		{"-pop3", "h:1", "-user", "u", "-dir", "d", "-starttls", "-tls"},
		{"-pop3", "h:1", "-user", "u", "-dir", "d", "extra"},
		{"-nosuchflag"},
		{"-pop3", "h:1", "-user", "u", "-dir", "d", "-cafile", "/nonexistent"},
	} {
		code, stdout, stderr := runCmd(args...)
		assert.Equal(t, 2, code, strings.Join(args, " "))
		assert.Empty(t, stdout)
		assert.NotEmpty(t, stderr)
	}
}
