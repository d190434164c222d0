package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/peertest"
	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dovecotConf is the least a private Dovecot needs to serve alice's
// Maildir over IMAP on 127.0.0.1 with STARTTLS: its own base_dir, state
// and logs, a passwd-file user, and processes that run as nobody.
const dovecotConf = `
protocols = imap
listen = 127.0.0.1
instance_name = mailfetch-test-%[3]d
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
ssl = yes
ssl_cert = <%[1]s/cert.pem
ssl_key = <%[1]s/key.pem
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
    port = 0
  }
}
service anvil {
  chroot =
}
`

// startDovecot starts Dovecot with alice/secret, whose Maildir holds
// files (name in new/ or cur/ -> contents, LF line ends as Dovecot
// writes them). It returns the address and the CA file to trust.
func startDovecot(t *testing.T, files map[string]string) (addr, caFile, maildir string) {
	t.Helper()
	bin := peertest.Need(t, "dovecot")
	dir := t.TempDir()
	// The processes that run as nobody must reach the files.
	require.NoError(t, os.Chmod(dir, 0o755))
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
	pair, err := testcert.New("127.0.0.1")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cert.pem"), pair.CertPEM, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "key.pem"), pair.KeyPEM, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "users"), []byte("alice:{PLAIN}secret::::::\n"), 0o644))
	maildir = filepath.Join(dir, "mail", "alice", "Maildir")
	for _, sub := range []string{"cur", "new", "tmp"} {
		require.NoError(t, os.MkdirAll(filepath.Join(maildir, sub), 0o755))
	}
	for name, data := range files {
		require.NoError(t, os.WriteFile(filepath.Join(maildir, name), []byte(data), 0o644))
	}
	require.NoError(t, exec.Command("chown", "-R", "nobody:nogroup", filepath.Join(dir, "mail")).Run())
	addr = peertest.FreeAddr(t)
	_, port, _ := strings.Cut(addr, ":")
	conf := filepath.Join(dir, "dovecot.conf")
	require.NoError(t, os.WriteFile(conf, fmt.Appendf(nil, dovecotConf, dir, port, time.Now().UnixNano()), 0o644))
	cmd := exec.Command(bin, "-F", "-c", conf)
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
		if t.Failed() {
			logs, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Logf("dovecot log:\n%s", logs)
		}
	})
	peertest.WaitListening(t, addr, 15*time.Second)
	return addr, writeCA(t, pair.CertPEM), maildir
}

// listed drops the UIDVALIDITY, which Dovecot draws from the clock, from
// a line of -list and joins the rest with single spaces.
func listed(line string) string {
	f := strings.Fields(line)
	if len(f) != 5 {
		return line
	}
	return strings.Join(append(f[:3], f[4]), " ")
}

// Against a real Dovecot over STARTTLS (RFC 3501 section 6.2.1): the
// files mailfetch writes equal Dovecot's own Maildir files byte for byte,
// flags keep their info letters (\Seen S, \Flagged F, \Answered R), a
// second run fetches nothing, -list shows the STATUS counts, and -delete
// (UID EXPUNGE, RFC 4315) empties the server's INBOX.
func TestDovecot_RFC3501(t *testing.T) {
	msgs := map[string]string{
		"new/1700000001.M1P1.test":      "Subject: one\nFrom: a@example.test\n\nfirst\n",
		"cur/1700000002.M2P1.test:2,S":  "Subject: two\n\n.leading dot\n\xc3\xa9 8-bit\n",
		"cur/1700000003.M3P1.test:2,FR": "Subject: three\n\nthird\n",
	}
	addr, ca, maildir := startDovecot(t, msgs)
	dir := t.TempDir()
	args := []string{"-imap", addr, "-user", "alice", "-pass", "secret", "-starttls", "-cafile", ca}

	code, stdout, stderr := runCmd(append(args, "-dir", dir)...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 3 new messages, 0 already present, 0 deleted\n", stdout)
	var want []string
	for _, m := range msgs {
		want = append(want, m)
	}
	assert.ElementsMatch(t, want, stored(t, dir))
	assert.Equal(t, []string{msgs["new/1700000001.M1P1.test"]}, files(t, dir, "new"))
	cur, err := os.ReadDir(filepath.Join(dir, "cur"))
	require.NoError(t, err)
	var info []string
	for _, e := range cur {
		_, i, _ := strings.Cut(e.Name(), ":2,")
		info = append(info, i)
	}
	assert.ElementsMatch(t, []string{"S", "FR"}, info)

	code, stdout, stderr = runCmd(append(args, "-dir", dir)...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 0 new messages, 3 already present, 0 deleted\n", stdout)

	code, stdout, stderr = runCmd(append(args, "-list")...)
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 3, stdout)
	assert.Equal(t, "MESSAGES UNSEEN UIDNEXT UIDVALIDITY  MAILBOX", lines[0])
	assert.ElementsMatch(t, []string{"3 2 4 INBOX", "0 0 1 Trash"},
		[]string{listed(lines[1]), listed(lines[2])})

	code, stdout, stderr = runCmd(append(args, "-dir", dir, "-delete")...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 0 new messages, 3 already present, 3 deleted\n", stdout)
	for _, sub := range []string{"new", "cur"} {
		left, err := os.ReadDir(filepath.Join(maildir, sub))
		require.NoError(t, err)
		assert.Empty(t, left, sub)
	}
}
