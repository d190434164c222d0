package maildir

import (
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/dovecottest"
	"github.com/mailwire/mailwire/internal/peertest"
)

// doveadm runs doveadm against the private Dovecot as alice and returns
// its output lines.
func doveadm(t *testing.T, s *dovecottest.Server, args ...string) []string {
	t.Helper()
	bin := peertest.Need(t, "doveadm")
	out, err := exec.Command(bin, append([]string{"-c", s.Conf}, args...)...).CombinedOutput()
	require.NoError(t, err, "doveadm %v: %s", args, out)
	return strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(out)), " ", "\x00"))
}

// giveToDovecot hands what this process wrote to the user Dovecot's mail
// processes run as.
func giveToDovecot(t *testing.T, dir string) {
	t.Helper()
	out, err := exec.Command("chown", "-R", "nobody:nogroup", dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
}

// TestFolders_Dovecot: folders and subscriptions made by a real Dovecot
// 2.3 (doveadm, mail_location maildir:, LAYOUT=maildir++) are what
// ListFolders and ReadSubscriptions read, and those made by
// CreateFolder, RenameFolder, DeleteFolder and SetSubscribed are what
// doveadm mailbox list shows. Skipped without Dovecot unless
// MAILWIRE_REQUIRE_PEERS is set.
func TestFolders_Dovecot(t *testing.T) {
	peertest.Need(t, "dovecot")
	s := dovecottest.Start(t, dovecottest.Config{Protocols: []string{"imap"}})
	root := s.Maildir("alice")

	doveadm(t, s, "mailbox", "create", "-u", "alice", "Entwürfe2", "a.b", "with space", "Sent", "inbox.sub")
	doveadm(t, s, "mailbox", "subscribe", "-u", "alice", "with space", "Entwürfe2", "a.b")
	got := listNames(t, root)
	for _, name := range []string{"INBOX", "Entwürfe2", "a.b", "with space", "Sent", "INBOX.sub"} {
		assert.Contains(t, got, name)
		assert.False(t, got[name].NoSelect, name)
	}
	assert.True(t, got["a"].NoSelect, "the parent Dovecot made no directory for")
	subs, err := ReadSubscriptions(root)
	require.NoError(t, err)
	assert.Equal(t, []string{"with space", "Entwürfe2", "a.b"}, subs)

	require.NoError(t, CreateFolder(root, "Über.Ordner"))
	require.NoError(t, CreateFolder(root, "Drafts"))
	require.NoError(t, RenameFolder(root, "Sent", "Gesendet"))
	require.NoError(t, DeleteFolder(root, "with space"))
	_, err = SetSubscribed(root, "Über.Ordner", true)
	require.NoError(t, err)
	_, err = SetSubscribed(root, "a.b", false)
	require.NoError(t, err)
	giveToDovecot(t, root)

	listed := doveadm(t, s, "mailbox", "list", "-u", "alice")
	for _, name := range []string{"Über", "Über.Ordner", "Drafts", "Gesendet", "Entwürfe2", "a.b"} {
		assert.Contains(t, listed, strings.ReplaceAll(name, " ", "\x00"))
	}
	assert.NotContains(t, listed, "Sent")
	assert.NotContains(t, listed, "with\x00space")
	subscribed := doveadm(t, s, "mailbox", "list", "-s", "-u", "alice")
	sort.Strings(subscribed)
	assert.Equal(t, []string{"Entwürfe2", "with\x00space", "Über.Ordner"}, subscribed)
}
