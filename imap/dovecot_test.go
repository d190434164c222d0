package imap

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/peertest"
	"github.com/mailwire/mailwire/internal/testcert"
)

// dovecot is a private Dovecot started by a test: its own configuration,
// base_dir, logs and Maildir under t.TempDir(), listening on 127.0.0.1
// only, with one user alice/secret. The server engineer's tests can reuse
// startDovecot to compare our server's answers with Dovecot's.
type dovecot struct {
	Addr    string // IMAP with STARTTLS
	TLSAddr string // implicit TLS (993-style)
	Maildir string // alice's Maildir root (INBOX)
	TLS     *tls.Config
	dir     string
}

const dovecotConf = `
protocols = imap
listen = 127.0.0.1
instance_name = mailwire-test-%[4]d
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
info_log_path = %[1]s/dovecot.log
ssl = yes
ssl_cert = <%[1]s/cert.pem
ssl_key = <%[1]s/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:%[1]s/mail/%%u/Maildir
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = nobody
default_internal_group = nogroup
default_login_user = nobody
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/users
}
userdb {
  driver = passwd-file
  args = username_format=%%u %[1]s/users
  default_fields = uid=nobody gid=nogroup home=%[1]s/mail/%%u
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \Trash
    auto = create
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[2]s
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[3]s
    ssl = yes
  }
}
service anvil {
  chroot =
}
protocol imap {
  mail_plugins = $mail_plugins imap_zlib
  mail_max_userip_connections = 100
}
`

// startDovecot starts Dovecot for one test and stops it on cleanup.
func startDovecot(t testing.TB) *dovecot {
	t.Helper()
	bin := peertest.Need(t, "dovecot")
	dir := t.TempDir()
	// Dovecot's auth and mail processes run as nobody and must reach
	// the files: open up the test's directory and its per-test parent.
	require.NoError(t, os.Chmod(dir, 0o755))
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
	pair, err := testcert.New()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cert.pem"), pair.CertPEM, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "key.pem"), pair.KeyPEM, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "users"), []byte("alice:{PLAIN}secret::::::\n"), 0o644))
	maildir := filepath.Join(dir, "mail", "alice", "Maildir")
	for _, sub := range []string{"cur", "new", "tmp"} {
		require.NoError(t, os.MkdirAll(filepath.Join(maildir, sub), 0o755))
	}
	require.NoError(t, exec.Command("chown", "-R", "nobody:nogroup", filepath.Join(dir, "mail")).Run())
	addr, tlsAddr := peertest.FreeAddr(t), peertest.FreeAddr(t)
	_, port, _ := strings.Cut(addr, ":")
	_, tlsPort, _ := strings.Cut(tlsAddr, ":")
	conf := filepath.Join(dir, "dovecot.conf")
	text := fmt.Sprintf(dovecotConf, dir, port, tlsPort, time.Now().UnixNano())
	require.NoError(t, os.WriteFile(conf, []byte(text), 0o644))

	cmd := exec.Command(bin, "-F", "-c", conf)
	out, err := os.Create(filepath.Join(dir, "stdout.log"))
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		out.Close()
		if t.Failed() {
			logs, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			so, _ := os.ReadFile(filepath.Join(dir, "stdout.log"))
			t.Logf("dovecot log:\n%s\n%s", logs, so)
		}
	})
	peertest.WaitListening(t, addr, 15*time.Second)
	peertest.WaitListening(t, tlsAddr, 15*time.Second)
	return &dovecot{
		Addr: addr, TLSAddr: tlsAddr, Maildir: maildir, dir: dir,
		TLS: &tls.Config{RootCAs: pair.Roots, ServerName: "localhost"},
	}
}

// login dials d, logs alice in and closes the client on cleanup.
func (d *dovecot) login(t testing.TB, opts *Options) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Dial(ctx, d.Addr, opts)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.Login(ctx, "alice", "secret"))
	return c
}

// testCtx is a context bounded so that a hung peer fails the test.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
