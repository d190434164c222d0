package relay

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/peertest"
	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/queue"
	"github.com/mailwire/mailwire/smtp/smtptest"
)

// postfixMaster is the master.cf of the test instance: smtpd on one
// loopback port and the daemons a relaying Postfix needs, none chrooted.
const postfixMaster = `%s inet n - n - - smtpd
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
`

// startPostfix runs a whole Postfix (master, smtpd, qmgr, smtp...) on
// 127.0.0.1 with a private configuration and queue, routing each domain
// of transports to "host:port", and stops it when the test ends. It
// returns the smtpd address.
func startPostfix(t *testing.T, transports map[string]string) string {
	t.Helper()
	postfix := peertest.Need(t, "postfix")
	peertest.Need(t, "master")
	if os.Geteuid() != 0 {
		// master, like postfix start, refuses to run as another user.
		if peertest.Required() {
			t.Fatal("a full Postfix must be started as root")
		}
		t.Skip("a full Postfix must be started as root")
	}
	// The daemons run as the postfix user and must reach the queue: a
	// folder of its own, readable on the way (t.TempDir is 0700).
	base, err := os.MkdirTemp("", "mailwire-postfix-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(base, 0o755))
	t.Cleanup(func() { os.RemoveAll(base) })
	conf := filepath.Join(base, "etc")
	for _, d := range []string{"etc", "queue", "data"} {
		require.NoError(t, os.Mkdir(filepath.Join(base, d), 0o755))
	}
	// master takes its lock in data_directory as the postfix user.
	owner, err := user.Lookup("postfix")
	require.NoError(t, err, "the postfix user")
	uid, _ := strconv.Atoi(owner.Uid)
	gid, _ := strconv.Atoi(owner.Gid)
	require.NoError(t, os.Chown(filepath.Join(base, "data"), uid, gid))
	addr := peertest.FreeAddr(t)

	var routes []string
	for domain, to := range transports {
		routes = append(routes, fmt.Sprintf("%s=smtp:[%s]:%s", domain, host(to), portOf(to)))
	}
	main := strings.Join([]string{
		"compatibility_level = 3.6",
		"queue_directory = " + filepath.Join(base, "queue"),
		"data_directory = " + filepath.Join(base, "data"),
		"maillog_file = " + filepath.Join(base, "maillog"),
		"maillog_file_prefixes = " + base,
		"inet_interfaces = 127.0.0.1",
		"inet_protocols = ipv4",
		"myhostname = postfix.test",
		"mydestination =",
		"mynetworks = 127.0.0.0/8",
		"relay_domains = " + strings.Join(keys(transports), " "),
		"transport_maps = inline:{ " + strings.Join(routes, ", ") + " }",
		"smtpd_relay_restrictions = permit_mynetworks, reject",
		"alias_maps =",
		"alias_database =",
		"local_recipient_maps =",
		"smtp_host_lookup = native",
		"disable_dns_lookups = yes",
		"smtp_tls_security_level = none",
		"queue_run_delay = 1s",
		"minimal_backoff_time = 1s",
		"maximal_backoff_time = 2s",
		"",
	}, "\n")
	require.NoError(t, os.WriteFile(filepath.Join(conf, "main.cf"), []byte(main), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(conf, "master.cf"), []byte(fmt.Sprintf(postfixMaster, addr)), 0o644))

	out, err := exec.Command(postfix, "-c", conf, "start").CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(base, "maillog"))
		t.Fatalf("postfix start: %v\n%s\n%s", err, out, log)
	}
	t.Cleanup(func() {
		exec.Command(postfix, "-c", conf, "stop").Run()
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(base, "maillog"))
			t.Logf("postfix log:\n%s", log)
		}
	})
	peertest.WaitListening(t, addr, 20*time.Second)
	return addr
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// A real Postfix as the peer on both sides: Postfix relays a message to
// our smtp.Server (queue.Backend), our relay delivers it on; and our
// relay delivers to Postfix's smtpd, which passes it on. Both end at an
// smtptest sink with the message intact behind the trace fields (RFC
// 5321 section 4.4: every hop prepends a Received).
func TestRelay_PostfixPeer(t *testing.T) {
	sink := smtptest.NewServer(t)
	q := openQueue(t, t.TempDir())
	addr := servertest.Serve(t, &smtp.Server{Domain: "mx.a.test", Backend: &queue.Backend{Queue: q, Hostname: "mx.a.test"}})

	pf := startPostfix(t, map[string]string{"in.test": addr, "out.test": sink.Addr})
	r := &Relay{Queue: q, Hostname: "mx.a.test", MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		Routes: map[string]string{"in.test": sink.Addr, "out.test": pf}}
	run(t, r)

	ctx := context.Background()
	in := "From: alice@x.test\r\nTo: bob@in.test\r\nSubject: via postfix\r\nMessage-ID: <in@x.test>\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\nIn through Postfix.\r\n"
	require.NoError(t, smtp.SendMail(ctx, pf, nil, "alice@x.test", []string{"bob@in.test"}, strings.NewReader(in), nil))
	out := "From: alice@a.test\r\nTo: carol@out.test\r\nSubject: to postfix\r\nMessage-ID: <out@a.test>\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\nOut through Postfix.\r\n"
	enqueue(t, q, "alice@a.test", out, rcpt("carol@out.test"))

	msgs := waitMessages(t, sink, 2)
	byRcpt := map[string]smtptest.Message{}
	for _, m := range msgs {
		byRcpt[m.To[0]] = m
	}
	got := byRcpt["bob@in.test"]
	assert.Equal(t, "alice@x.test", got.From)
	assert.Equal(t, "mx.a.test", got.Hostname, "delivered by our relay")
	assert.True(t, strings.HasPrefix(string(got.Data), "Received: from postfix.test ([127.0.0.1])\r\n\tby mx.a.test"), "%s", got.Data)
	assert.Contains(t, string(got.Data), "by postfix.test (Postfix)")
	assert.True(t, strings.HasSuffix(string(got.Data), "\r\n"+in), "%s", got.Data)

	got = byRcpt["carol@out.test"]
	assert.Equal(t, "alice@a.test", got.From)
	assert.Equal(t, "postfix.test", got.Hostname, "delivered by Postfix")
	assert.Contains(t, string(got.Data), "from mx.a.test (")
	assert.True(t, strings.HasSuffix(string(got.Data), "\r\n"+out), "%s", got.Data)
	waitQueue(t, q, empty)
}
