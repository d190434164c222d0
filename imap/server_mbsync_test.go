package imap_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/mailwire/mailwire/internal/peertest"
)

// mbsyncrc is an isync 1.4 configuration: our server over STARTTLS with
// the test's CA, synchronised both ways with a Maildir.
const mbsyncrc = `IMAPAccount test
Host 127.0.0.1
Port %[1]s
User user
Pass pass
SSLType STARTTLS
CertificateFile %[2]s/ca.pem
AuthMechs PLAIN

IMAPStore remote
Account test

MaildirStore local
Path %[2]s/mail/
Inbox %[2]s/mail/INBOX
SubFolders Verbatim

Channel sync
Far :remote:
Near :local:
Patterns INBOX Archive
Create Both
Expunge Both
SyncState *
`

// TestMbsync_TwoFolders syncs INBOX and Archive from our server to a
// Maildir with mbsync (isync), then pushes a new local message and a
// local flag change back, and requires every message byte-exact on
// both sides. Byte-exact allows for what mbsync itself does to a Maildir
// copy: it stores lines with LF alone (CRLF on the wire, RFC 3501
// section 4.3) and inserts an "X-TUID:" header line into each message
// it copies, either way, to find it again; that line is removed before
// comparing.
func TestMbsync_TwoFolders(t *testing.T) {
	bin := peertest.Need(t, "mbsync")
	inbox := []string{"simple.eml", "multipart.eml"}
	archive := []string{"forward.eml"}
	opts := []imaptest.Option{imaptest.WithTLS(), imaptest.WithMailbox("user", "Archive", "")}
	for _, n := range inbox {
		opts = append(opts, imaptest.WithMessage("user", imap.Inbox, readMessage(t, n)))
	}
	for _, n := range archive {
		opts = append(opts, imaptest.WithMessage("user", "Archive", readMessage(t, n), imap.FlagFlagged))
	}
	srv := imaptest.NewServer(t, append(opts, imaptest.WithInsecureAuth())...)
	home := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(home, "ca.pem"), srv.CertificatePEM(), 0o644))
	_, port, _ := strings.Cut(srv.Addr, ":")
	require.NoError(t, os.Mkdir(filepath.Join(home, "mail"), 0o700))
	rc := filepath.Join(home, "mbsyncrc")
	require.NoError(t, os.WriteFile(rc, []byte(fmt.Sprintf(mbsyncrc, port, home)), 0o600))

	runMbsync(t, bin, home, rc)
	requireSameMessages(t, srv, imap.Inbox, filepath.Join(home, "mail", "INBOX"))
	requireSameMessages(t, srv, "Archive", filepath.Join(home, "mail", "Archive"))

	// A new local message and a flag change are pushed back: mbsync
	// APPENDs the one and STOREs the other.
	local := append([]byte("X-Local: yes\r\n"), readMessage(t, "forward.eml")...)
	name := fmt.Sprintf("%d.local.host", time.Now().UnixNano())
	lf := strings.ReplaceAll(string(local), "\r\n", "\n")
	require.NoError(t, os.WriteFile(filepath.Join(home, "mail", "Archive", "new", name), []byte(lf), 0o600))
	cur := maildirFiles(t, filepath.Join(home, "mail", "INBOX"))
	require.NotEmpty(t, cur)
	first := cur[0]
	require.NoError(t, os.Rename(first, strings.TrimSuffix(first, "S")+"FS"))

	runMbsync(t, bin, home, rc)
	requireSameMessages(t, srv, "Archive", filepath.Join(home, "mail", "Archive"))
	requireSameMessages(t, srv, imap.Inbox, filepath.Join(home, "mail", "INBOX"))
	msgs, err := srv.Messages("user", "Archive")
	require.NoError(t, err)
	require.Len(t, msgs, 2)
	require.Equal(t, string(local), withoutTUID(string(msgs[1].Data)), "the local message reached the server byte-exact")
	flagged := 0
	msgs, err = srv.Messages("user", imap.Inbox)
	require.NoError(t, err)
	for _, m := range msgs {
		for _, f := range m.Flags {
			if f == imap.FlagFlagged {
				flagged++
			}
		}
	}
	require.Equal(t, 1, flagged, "the local \\Flagged reached the server")
}

func runMbsync(t *testing.T, bin, home, rc string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-c", rc, "-a")
	cmd.Env = append(os.Environ(), "HOME="+home)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "mbsync: %s", out)
}

// maildirFiles lists the messages of a Maildir folder, in name order.
func maildirFiles(t *testing.T, dir string) []string {
	var files []string
	for _, sub := range []string{"cur", "new"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		require.NoError(t, err)
		for _, e := range entries {
			files = append(files, filepath.Join(dir, sub, e.Name()))
		}
	}
	sort.Strings(files)
	return files
}

// tuidLine is the header line mbsync adds to the messages it copies.
var tuidLine = regexp.MustCompile(`(?m)^X-TUID: [^\r\n]*\r\n`)

func withoutTUID(msg string) string { return tuidLine.ReplaceAllString(msg, "") }

// requireSameMessages requires the server mailbox and the Maildir folder
// to hold the same messages byte for byte.
func requireSameMessages(t *testing.T, srv *imaptest.Server, mailbox, dir string) {
	t.Helper()
	msgs, err := srv.Messages("user", mailbox)
	require.NoError(t, err)
	var remote, local []string
	for _, m := range msgs {
		remote = append(remote, withoutTUID(string(m.Data)))
	}
	for _, f := range maildirFiles(t, dir) {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		local = append(local, withoutTUID(strings.ReplaceAll(string(data), "\n", "\r\n")))
	}
	require.ElementsMatch(t, remote, local, mailbox)
}
