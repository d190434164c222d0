package pop3_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/peertest"
	"github.com/mailwire/mailwire/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

var peerMessages = [][]byte{
	[]byte("From: a@example.test\r\nSubject: one\r\n\r\nHello.\r\n"),
	[]byte("Subject: dots\r\n\r\n.leading\r\n..two\r\n.\r\nend\r\n"),
	[]byte("Subject: three\r\n\r\nline 1\r\nline 2\r\nline 3\r\n"),
}

// poplibScript drives our server with Python's poplib: STLS with the
// runtime CA, CAPA, USER/PASS, STAT, LIST, UIDL, RETR, TOP, NOOP, then the
// deletion cases of RFC 1939 section 6 on fresh sessions, and APOP.
const poplibScript = `
import json, poplib, ssl, sys
host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)
out = {}
def login():
    p = poplib.POP3(host, port, timeout=20)
    p.stls(context=ctx)
    p.user("alice")
    p.pass_("secret")
    return p
p = poplib.POP3(host, port, timeout=20)
out["capa_plain"] = sorted(p.capa().keys())
try:
    p.user("alice")
except poplib.error_proto as e:
    out["cleartext_user"] = e.args[0].decode()
out["stls"] = p.stls(context=ctx).decode()
out["capa_tls"] = sorted(p.capa().keys())
p.user("alice")
try:
    p.pass_("wrong")
except poplib.error_proto as e:
    out["wrong_pass"] = e.args[0].decode()
p.user("alice")
out["pass"] = p.pass_("secret").decode()
out["stat"] = list(p.stat())
out["list"] = [l.decode() for l in p.list()[1]]
out["uidl"] = [l.decode() for l in p.uidl()[1]]
out["uidl2"] = p.uidl(2).decode()
out["retr"] = ["\r\n".join(l.decode() for l in p.retr(i)[1]) + "\r\n" for i in (1, 2, 3)]
out["top"] = "\r\n".join(l.decode() for l in p.top(3, 1)[1])
out["noop"] = p.noop().decode()
try:
    p.retr(9)
except poplib.error_proto as e:
    out["retr_missing"] = e.args[0].decode()
p2 = poplib.POP3(host, port, timeout=20)
p2.stls(context=ctx)
p2.user("alice")
try:
    p2.pass_("secret")
except poplib.error_proto as e:
    out["in_use"] = e.args[0].decode()
p2.quit()
p.dele(1)
p.file.close(); p.sock.close()  # dropped: nothing deleted
print(json.dumps(out), flush=True)
sys.stdin.readline()  # the test checks the store
p = login()
p.dele(1)
p.rset()
out["rset_quit"] = p.quit().decode()
print(json.dumps(out), flush=True)
sys.stdin.readline()
p = poplib.POP3(host, port, timeout=20)
p.stls(context=ctx)
out["apop"] = p.apop("alice", "secret").decode()
p.dele(1)
out["dele"] = p.dele(3).decode()
out["quit"] = p.quit().decode()
print(json.dumps(out), flush=True)
`

// TestServer_Poplib runs Python's poplib against the Server over STLS.
func TestServer_Poplib(t *testing.T) {
	python := peertest.Need(t, "python3")
	ts := pop3test.NewServer(t, pop3test.WithTLS(), pop3test.WithUser("alice", "secret", peerMessages...))
	ctx := testContext(t)
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(ca, ts.CertificatePEM(), 0o644))
	host, port, _ := strings.Cut(ts.Addr, ":")

	cmd := exec.CommandContext(ctx, python, "-c", poplibScript, host, port, ca)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	dec := json.NewDecoder(stdout)
	next := func() map[string]any {
		var out map[string]any
		require.NoError(t, dec.Decode(&out), stderr.String())
		return out
	}

	out := next()
	require.NotContains(t, out["capa_plain"], "USER")
	require.Contains(t, out["capa_plain"], "STLS")
	require.Equal(t, "-ERR [AUTH] Plaintext authentication disallowed on non-secure connection; use STLS", out["cleartext_user"])
	require.Equal(t, "+OK Begin TLS negotiation", out["stls"])
	require.Equal(t, []any{"AUTH-RESP-CODE", "IMPLEMENTATION", "PIPELINING", "RESP-CODES", "SASL", "TOP", "UIDL", "USER", "UTF8"}, out["capa_tls"])
	require.Equal(t, "-ERR [AUTH] Invalid user name or password", out["wrong_pass"])
	require.Equal(t, "+OK Maildrop has 3 messages (130 octets)", out["pass"])
	require.Equal(t, []any{3.0, 130.0}, out["stat"])
	require.Equal(t, []any{"1 46", "2 42", "3 42"}, out["list"])
	require.Equal(t, []any{"1 m1", "2 m2", "3 m3"}, out["uidl"])
	require.Equal(t, "+OK 2 m2", out["uidl2"])
	for i, m := range peerMessages {
		require.Equal(t, string(m), out["retr"].([]any)[i], "message %d", i+1)
	}
	require.Equal(t, "Subject: three\r\n\r\nline 1", out["top"])
	require.Equal(t, "+OK", out["noop"])
	require.Equal(t, "-ERR No such message", out["retr_missing"])
	require.Equal(t, "-ERR [IN-USE] Mailbox is locked by another session", out["in_use"])
	require.NoError(t, ts.WaitIdle(ctx))
	require.Equal(t, []string{"m1", "m2", "m3"}, ts.UIDs("alice"), "a dropped connection deletes nothing")

	stdin.Write([]byte("\n"))
	out = next()
	require.Equal(t, "+OK pop3test.local POP3 server signing off (3 messages left)", out["rset_quit"])
	require.NoError(t, ts.WaitIdle(ctx))
	require.Equal(t, []string{"m1", "m2", "m3"}, ts.UIDs("alice"), "DELE, RSET, QUIT deletes nothing")

	stdin.Write([]byte("\n"))
	out = next()
	require.Regexp(t, `^\+OK Maildrop has 3 messages`, out["apop"])
	require.Equal(t, "+OK Message 3 deleted", out["dele"])
	require.Equal(t, "+OK pop3test.local POP3 server signing off (1 messages left)", out["quit"])
	require.NoError(t, cmd.Wait(), stderr.String())
	require.Equal(t, []string{"m2"}, ts.UIDs("alice"), "DELE, QUIT deletes")
	require.Equal(t, []string{"m1", "m3"}, ts.Deleted("alice"))
}

// TestServer_Curl retrieves, lists and deletes with curl's pop3:// URLs.
func TestServer_Curl(t *testing.T) {
	curl := peertest.Need(t, "curl")
	ts := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret", peerMessages...))
	ctx := testContext(t)
	url := "pop3://alice:secret@" + ts.Addr
	run := func(args ...string) string {
		out, err := exec.CommandContext(ctx, curl, append([]string{"-sS", "--max-time", "20"}, args...)...).CombinedOutput()
		require.NoError(t, err, string(out))
		return string(out)
	}
	require.Equal(t, "1 46\r\n2 42\r\n3 42\r\n", run(url+"/"))
	for i, m := range peerMessages {
		require.Equal(t, string(m), run(url+"/"+string(rune('1'+i))), "message %d", i+1)
	}
	require.Equal(t, "1 m1\r\n2 m2\r\n3 m3\r\n", run("-X", "UIDL", url+"/"))
	run("-X", "DELE", "-I", url+"/2")
	require.NoError(t, ts.WaitIdle(ctx))
	require.Equal(t, []string{"m1", "m3"}, ts.UIDs("alice"))
	require.Equal(t, []string{"m2"}, ts.Deleted("alice"))
}
