package mailstore

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// TestInfoFlags maps the IMAP system flags to the Maildir info letters
// as Dovecot does (\Answered is R, \Deleted is T), sorted, and keeps the
// letters no IMAP flag maps to (P, Dovecot's keyword letters a-z).
func TestInfoFlags(t *testing.T) {
	for _, tc := range []struct {
		flags []imap.Flag
		old   string
		info  string
	}{
		{nil, "", ""},
		{[]imap.Flag{imap.FlagSeen}, "", "S"},
		{[]imap.Flag{imap.FlagSeen, imap.FlagAnswered, imap.FlagFlagged, imap.FlagDraft, imap.FlagDeleted}, "", "DFRST"},
		{[]imap.Flag{imap.FlagSeen, "$Label1"}, "", "S"},
		{[]imap.Flag{imap.FlagFlagged}, "PSa", "FPa"},
		{nil, "RST", ""},
	} {
		require.Equal(t, tc.info, infoFlags(tc.flags, tc.old), "%v over %q", tc.flags, tc.old)
	}
	require.Equal(t, []imap.Flag{imap.FlagDraft, imap.FlagFlagged, imap.FlagAnswered, imap.FlagSeen, imap.FlagDeleted}, flagsFromInfo("TSRFDPa"))
	require.Nil(t, flagsFromInfo("Pab"))
}

func openMaildir(t *testing.T, root string) *Maildir {
	t.Helper()
	users := NewUsers("example.test")
	require.NoError(t, users.AddList("alice:secret"))
	s, err := OpenMaildir(root, users)
	require.NoError(t, err)
	return s
}

func inboxDir(root string) string { return filepath.Join(root, "alice", "Maildir") }

// files lists a folder's message files as "new/NAME" or "cur/NAME".
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, sub := range []string{"new", "cur"} {
		des, err := os.ReadDir(filepath.Join(dir, sub))
		require.NoError(t, err)
		for _, de := range des {
			out = append(out, sub+"/"+de.Name())
		}
	}
	return out
}

// TestMaildirFlagsOnDisk: a delivered message waits in new; STORE moves
// it to cur with the info suffix of its flags (Maildir "2," semantics),
// keeping a letter another program set.
func TestMaildirFlagsOnDisk(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s := openMaildir(t, root)
	deliver(t, s, "alice", 1)
	dir := inboxDir(root)
	got := files(t, dir)
	require.Len(t, got, 1)
	require.True(t, strings.HasPrefix(got[0], "new/"), got[0])
	base := strings.TrimPrefix(got[0], "new/")
	require.Contains(t, base, ",S=", "Dovecot's size fields")
	require.Contains(t, base, ",W=")

	mb, view := openInbox(t, s)
	uid := view.UIDs[0]
	_, err := mb.Store(ctx, []uint32{uid}, imap.StoreFlagsAdd, []imap.Flag{imap.FlagSeen, imap.FlagFlagged})
	require.NoError(t, err)
	require.Equal(t, []string{"cur/" + base + ":2,FS"}, files(t, dir))

	// Another program marks it passed (P, no IMAP flag): our next STORE
	// keeps the letter.
	require.NoError(t, os.Rename(filepath.Join(dir, "cur", base+":2,FS"), filepath.Join(dir, "cur", base+":2,FPS")))
	_, err = mb.Poll(ctx)
	require.NoError(t, err)
	_, err = mb.Store(ctx, []uint32{uid}, imap.StoreFlagsSet, []imap.Flag{imap.FlagAnswered, imap.FlagDeleted})
	require.NoError(t, err)
	require.Equal(t, []string{"cur/" + base + ":2,PRT"}, files(t, dir))
	msgs, err := mb.Messages(ctx, []uint32{uid})
	require.NoError(t, err)
	require.ElementsMatch(t, []imap.Flag{imap.FlagAnswered, imap.FlagDeleted}, msgs[0].Flags())
}

// TestMaildirUIDsPersist: UIDVALIDITY and UIDs survive reopening the
// store (RFC 3501 section 2.3.1.1), an expunged UID is not given again,
// and flags come back from the file names.
func TestMaildirUIDsPersist(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s := openMaildir(t, root)
	deliver(t, s, "alice", 3)
	mb, view := openInbox(t, s)
	require.Equal(t, []uint32{1, 2, 3}, view.UIDs)
	_, err := mb.Store(ctx, []uint32{2}, imap.StoreFlagsAdd, []imap.Flag{imap.FlagDeleted})
	require.NoError(t, err)
	_, err = mb.Store(ctx, []uint32{3}, imap.StoreFlagsAdd, []imap.Flag{imap.FlagSeen})
	require.NoError(t, err)
	expunged, err := mb.Expunge(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, []uint32{2}, expunged)
	require.NoError(t, mb.Close(ctx))
	require.NoError(t, s.Close())

	s = openMaildir(t, root)
	deliver(t, s, "alice", 1)
	mb2, again := openInbox(t, s)
	require.Equal(t, view.UIDValidity, again.UIDValidity)
	require.Equal(t, []uint32{1, 3, 4}, again.UIDs)
	require.Equal(t, uint32(5), again.UIDNext)
	msgs, err := mb2.Messages(ctx, []uint32{3})
	require.NoError(t, err)
	require.Equal(t, []imap.Flag{imap.FlagSeen}, msgs[0].Flags())
}

// TestMaildirForeignFiles: files that other programs put in new and cur
// (Postfix's local(8) names without size fields, a message already read
// elsewhere) are picked up with the flags of their names and their
// sizes with CRLF line ends, on open and, for an open session, on Poll.
func TestMaildirForeignFiles(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s := openMaildir(t, root)
	dir := inboxDir(root)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "new", "1700000000.V801I42M1.mailhost"), []byte("Subject: a\n\nhi\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cur", "1700000001.V801I43M2.mailhost:2,RS"), []byte("Subject: b\n\nyo\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tmp", "1700000002.V801I44M3.mailhost"), []byte("Subject: half"), 0o600))

	mb, view := openInbox(t, s)
	require.Len(t, view.UIDs, 2, "tmp is never served")
	msgs, err := mb.Messages(ctx, view.UIDs)
	require.NoError(t, err)
	require.Equal(t, int64(len("Subject: a\r\n\r\nhi\r\n")), msgs[0].Size())
	require.Empty(t, msgs[0].Flags())
	require.Equal(t, []imap.Flag{imap.FlagAnswered, imap.FlagSeen}, msgs[1].Flags())
	r, err := msgs[1].Open(ctx)
	require.NoError(t, err)
	data := make([]byte, msgs[1].Size())
	_, err = r.ReadAt(data, 0)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.Equal(t, "Subject: b\r\n\r\nyo\r\n", string(data))

	require.NoError(t, os.WriteFile(filepath.Join(dir, "new", "1700000003.V801I45M4.mailhost"), []byte("Subject: c\n\n"), 0o600))
	ups, err := mb.Poll(ctx)
	require.NoError(t, err)
	require.Len(t, ups, 1)
	require.Equal(t, imap.UpdateNew, ups[0].Type)
	require.Equal(t, view.UIDs[1]+1, ups[0].UID)
}

// TestMaildirFolderNames: mailbox "A/B" is the Maildir++ folder ".A.B"
// under the INBOX; a parent that exists only through its inferiors is
// listed \Noselect (RFC 3501 section 6.3.8); names with "." cannot be
// held and are refused with [CANNOT] (RFC 5530); folders another
// program made are listed; RENAME takes the inferiors along.
func TestMaildirFolderNames(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s := openMaildir(t, root)
	top := inboxDir(root)
	u, err := s.IMAP().Login(ctx, nil, "alice", "secret")
	require.NoError(t, err)
	require.NoError(t, u.CreateMailbox(ctx, "Work/2024", ""))
	require.True(t, maildir.Exists(filepath.Join(top, ".Work.2024")))
	for _, bad := range []string{"a.b", "mailwire-uidlist"} {
		var st *imap.StatusResponse
		require.ErrorAs(t, u.CreateMailbox(ctx, bad, ""), &st, bad)
		require.Equal(t, imap.CodeCannot, st.Code, bad)
	}
	require.NoError(t, maildir.Create(filepath.Join(top, ".Lists.go")))

	list := func() map[string]bool {
		infos, err := u.ListMailboxes(ctx)
		require.NoError(t, err)
		out := map[string]bool{}
		for _, info := range infos {
			out[info.Name] = slices.Contains(info.Attrs, imap.AttrNoSelect)
		}
		return out
	}
	require.Equal(t, map[string]bool{"INBOX": false, "Work": true, "Work/2024": false, "Lists": true, "Lists/go": false}, list())

	require.NoError(t, u.CreateMailbox(ctx, "Work", ""))
	require.NoError(t, u.RenameMailbox(ctx, "Work", "Old"))
	require.True(t, maildir.Exists(filepath.Join(top, ".Old.2024")))
	require.False(t, maildir.Exists(filepath.Join(top, ".Work.2024")))
	require.Equal(t, map[string]bool{"INBOX": false, "Old": false, "Old/2024": false, "Lists": true, "Lists/go": false}, list())
}
