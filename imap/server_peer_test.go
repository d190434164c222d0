package imap_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/mailwire/mailwire/internal/peertest"
	"github.com/stretchr/testify/require"
)

// TestPeerPythonImaplib runs Python's imaplib against the server: LOGIN,
// LIST, CREATE, SUBSCRIBE, LSUB, STATUS, APPEND, SELECT, FETCH, UID FETCH,
// SEARCH, STORE, COPY, MOVE, EXPUNGE, CLOSE, IDLE, RENAME, DELETE and
// LOGOUT, checking the values each returns (RFC 3501 section 6).
func TestPeerPythonImaplib(t *testing.T) {
	python := peertest.Need(t, "python3")
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithUser("alice", "pass"))
	_, port, _ := strings.Cut(srv.Addr, ":")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, "testdata/server/peers/imaplib_client.py", port).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Equal(t, "PASS\n", string(out))
	msgs, err := srv.Messages("alice", "INBOX")
	require.NoError(t, err)
	require.Len(t, msgs, 1) // the one IDLE saw arrive
}

// TestPeerCurl runs curl's IMAP client (RFC 5092 URLs) against the
// server: LIST, APPEND with --upload-file, and FETCH by UID, checking the
// message comes back byte for byte.
func TestPeerCurl(t *testing.T) {
	curl := peertest.Need(t, "curl")
	msg := "From: a@example.org\r\nSubject: curl\r\n\r\nbody line\r\n"
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithUser("alice", "pass"),
		imaptest.WithMailbox("alice", "Sent", imap.AttrSent))
	base := "imap://alice:pass@" + srv.Addr + "/"
	run := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, curl, append([]string{"-sS", "--max-time", "20"}, args...)...).CombinedOutput()
		require.NoError(t, err, "%s", out)
		return string(out)
	}
	list := run(base)
	require.Contains(t, list, `* LIST (\HasNoChildren) "/" INBOX`)
	require.Contains(t, list, `* LIST (\Sent \HasNoChildren) "/" Sent`)

	f := t.TempDir() + "/msg.eml"
	require.NoError(t, os.WriteFile(f, []byte(msg), 0o600))
	run("--upload-file", f, base+"INBOX")
	msgs, err := srv.Messages("alice", "INBOX")
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	require.Equal(t, msg, string(msgs[0].Data))

	require.Equal(t, msg, run(base+"INBOX;UID=1"))
	require.Equal(t, "body line\r\n", run(base+"INBOX;UID=1;SECTION=TEXT"))
}
