// Package dovecottest starts a private Dovecot for a test: its own
// configuration, base_dir, state and logs under t.TempDir(), listening on
// 127.0.0.1 only, with passwd-file users and Maildir storage. Tests use it
// to run our clients against a real IMAP and POP3 server and to compare
// our servers' answers with Dovecot's. It never touches /etc/dovecot.
//
// Dovecot's login, auth and mail processes run as nobody, so the test
// runs as root (as CI does) and the mail files are given to nobody.
package dovecottest

import (
	"crypto/tls"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/peertest"
	"github.com/mailwire/mailwire/internal/testcert"
)

// Config is what differs between tests.
type Config struct {
	// Protocols lists "imap" and/or "pop3". Each gets a plain listener
	// (with STARTTLS or STLS) and an implicit-TLS one.
	Protocols []string
	// Users are "name:password" pairs; none means alice:secret.
	Users []string
	// AuthMechanisms is auth_mechanisms; "" means "plain login".
	AuthMechanisms string
	// MailLocation is mail_location; "" means a Maildir per user under
	// the server's directory (see Server.Maildir).
	MailLocation string
	// Files are written into a user's Maildir before Dovecot starts,
	// keyed "user/new/name" or "user/cur/name:2,S", with LF line ends as
	// Dovecot keeps them.
	Files map[string]string
	// Extra is appended to dovecot.conf: namespaces, protocol blocks.
	Extra string
}

// Server is a running Dovecot.
type Server struct {
	Dir                      string // its private directory
	Conf                     string // its dovecot.conf, for dovecot-lda -c
	IMAP, IMAPS, POP3, POP3S string // listener addresses, "" when not served
	// ClientTLS trusts the run-time certificate Dovecot presents;
	// CAFile is the same certificate as a PEM file, for peers.
	ClientTLS *tls.Config
	CAFile    string
}

// Maildir returns user's Maildir under the default mail location.
func (s *Server) Maildir(user string) string {
	return filepath.Join(s.Dir, "mail", user, "Maildir")
}

// Start starts Dovecot for t and stops it on t.Cleanup; on a failed test
// its log is printed.
func Start(t testing.TB, cfg Config) *Server {
	t.Helper()
	bin := peertest.Need(t, "dovecot")
	dir := t.TempDir()
	// The processes that run as nobody must reach the files: open up the
	// test's directory and its per-test parent.
	must(t, os.Chmod(dir, 0o755))
	must(t, os.Chmod(filepath.Dir(dir), 0o755))
	pair, err := testcert.New("127.0.0.1")
	must(t, err)
	s := &Server{Dir: dir, ClientTLS: pair.ClientConfig(), CAFile: filepath.Join(dir, "cert.pem")}
	must(t, os.WriteFile(s.CAFile, pair.CertPEM, 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "key.pem"), pair.KeyPEM, 0o600))

	users := cfg.Users
	if len(users) == 0 {
		users = []string{"alice:secret"}
	}
	var passwd strings.Builder
	for _, u := range users {
		name, pass, _ := strings.Cut(u, ":")
		fmt.Fprintf(&passwd, "%s:{PLAIN}%s::::::\n", name, pass)
		for _, sub := range []string{"cur", "new", "tmp"} {
			must(t, os.MkdirAll(filepath.Join(s.Maildir(name), sub), 0o755))
		}
	}
	must(t, os.WriteFile(filepath.Join(dir, "users"), []byte(passwd.String()), 0o644))
	for key, data := range cfg.Files {
		user, rest, _ := strings.Cut(key, "/")
		must(t, os.WriteFile(filepath.Join(s.Maildir(user), rest), []byte(data), 0o644))
	}
	must(t, exec.Command("chown", "-R", "nobody:nogroup", filepath.Join(dir, "mail")).Run())

	s.Conf = filepath.Join(dir, "dovecot.conf")
	must(t, os.WriteFile(s.Conf, []byte(s.config(t, cfg)), 0o644))
	cmd := exec.Command(bin, "-F", "-c", s.Conf)
	out, err := os.Create(filepath.Join(dir, "stdout.log"))
	must(t, err)
	cmd.Stdout, cmd.Stderr = out, out
	must(t, cmd.Start())
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
	for _, addr := range []string{s.IMAP, s.IMAPS, s.POP3, s.POP3S} {
		if addr != "" {
			peertest.WaitListening(t, addr, 15*time.Second)
		}
	}
	return s
}

// config writes dovecot.conf and picks the listeners' ports.
func (s *Server) config(t testing.TB, cfg Config) string {
	mech := cfg.AuthMechanisms
	if mech == "" {
		mech = "plain login"
	}
	location := cfg.MailLocation
	if location == "" {
		location = "maildir:" + s.Dir + "/mail/%u/Maildir"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `protocols = %s
listen = 127.0.0.1
instance_name = mailwire-test-%d
base_dir = %[3]s/run
state_dir = %[3]s/state
log_path = %[3]s/dovecot.log
info_log_path = %[3]s/dovecot.log
ssl = yes
ssl_cert = <%[3]s/cert.pem
ssl_key = <%[3]s/key.pem
disable_plaintext_auth = no
auth_mechanisms = %[4]s
mail_location = %[5]s
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = nobody
default_internal_group = nogroup
default_login_user = nobody
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[3]s/users
}
userdb {
  driver = passwd-file
  args = username_format=%%u %[3]s/users
  default_fields = uid=nobody gid=nogroup home=%[3]s/mail/%%u
}
service anvil {
  chroot =
}
`, strings.Join(cfg.Protocols, " "), time.Now().UnixNano(), s.Dir, mech, location)
	for _, p := range cfg.Protocols {
		plain, secure := peertest.FreeAddr(t), peertest.FreeAddr(t)
		switch p {
		case "imap":
			s.IMAP, s.IMAPS = plain, secure
		case "pop3":
			s.POP3, s.POP3S = plain, secure
		default:
			t.Fatalf("dovecottest: unknown protocol %q", p)
		}
		_, port, _ := strings.Cut(plain, ":")
		_, tlsPort, _ := strings.Cut(secure, ":")
		fmt.Fprintf(&b, `service %[1]s-login {
  chroot =
  inet_listener %[1]s {
    address = 127.0.0.1
    port = %[2]s
  }
  inet_listener %[1]ss {
    address = 127.0.0.1
    port = %[3]s
    ssl = yes
  }
}
`, p, port, tlsPort)
	}
	b.WriteString(cfg.Extra)
	return b.String()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
