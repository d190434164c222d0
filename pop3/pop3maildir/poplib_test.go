package pop3maildir_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/peertest"
)

// poplibScript logs in with Python's poplib, prints STAT, LIST, UIDL
// and every message RETR gives, deletes the first and quits; then a
// second session prints its UIDL.
const poplibScript = `
import json, poplib, sys
host, port = sys.argv[1], int(sys.argv[2])
p = poplib.POP3(host, port, timeout=20)
p.user("alice")
p.pass_("secret")
out = {"stat": list(p.stat())}
out["list"] = [l.decode() for l in p.list()[1]]
out["uidl"] = [l.decode() for l in p.uidl()[1]]
out["retr"] = ["\r\n".join(l.decode() for l in p.retr(i)[1]) + "\r\n" for i in range(1, out["stat"][0] + 1)]
out["dele"] = p.dele(1).decode()
out["quit"] = p.quit().decode()
p = poplib.POP3(host, port, timeout=20)
p.user("alice")
p.pass_("secret")
out["uidl_after"] = [l.decode() for l in p.uidl()[1]]
p.quit()
print(json.dumps(out))
`

// TestPoplib_RFC1939: Python's poplib lists and retrieves the Maildir
// INBOX (dot-stuffed lines come back as stored, RFC 1939 section 3) and
// deletes a message at QUIT (section 6).
func TestPoplib_RFC1939(t *testing.T) {
	python := peertest.Need(t, "python3")
	stores := newStores(t, t.TempDir())
	uids0, validity := deliver(t, inbox(t, stores, "alice"), lfMessages...)
	addr := serve(t, stores)
	host, port, _ := strings.Cut(addr, ":")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stderr strings.Builder
	cmd := exec.CommandContext(ctx, python, "-c", poplibScript, host, port)
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var out struct {
		Stat      []int64
		List      []string
		UIDL      []string
		Retr      []string
		Dele      string
		Quit      string
		UIDLAfter []string `json:"uidl_after"`
	}
	require.NoError(t, json.Unmarshal(stdout, &out), string(stdout))

	var total int64
	var list, uidl []string
	for i, m := range wireMessages {
		total += int64(len(m))
		list = append(list, fmt.Sprintf("%d %d", i+1, len(m)))
		uidl = append(uidl, fmt.Sprintf("%d %08x%08x", i+1, uids0[i], validity))
	}
	require.Equal(t, []int64{3, total}, out.Stat)
	require.Equal(t, list, out.List)
	require.Equal(t, uidl, out.UIDL)
	require.Equal(t, wireMessages, out.Retr)
	require.Equal(t, "+OK Message 1 deleted", out.Dele)
	require.Equal(t, "+OK pop.test POP3 server signing off (2 messages left)", out.Quit)
	require.Equal(t, []string{"1" + uidl[1][1:], "2" + uidl[2][1:]}, out.UIDLAfter)
}
