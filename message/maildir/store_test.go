package maildir

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testMsg = "From: a@example.com\nSubject: hi\n\nbody\n"

func openTestStore(t *testing.T, root string) *Store {
	t.Helper()
	s, err := OpenStore(root, &StoreOptions{PollInterval: 20 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func testMailbox(t *testing.T, s *Store, name string) *Mailbox {
	t.Helper()
	m, err := s.Mailbox(context.Background(), name)
	require.NoError(t, err)
	return m
}

func appendTest(t *testing.T, m *Mailbox, flags ...string) uint32 {
	t.Helper()
	_, uid, err := m.Append(context.Background(), strings.NewReader(testMsg), flags, time.Time{})
	require.NoError(t, err)
	return uid
}

// TestStoreAppendRFC4315 checks APPENDUID: UIDs ascend from 1 under one
// UIDVALIDITY, recorded in dovecot-uidlist, and the message reads back
// in its CRLF wire form (RFC 3501 section 2.3.4) with its flags.
func TestStoreAppendRFC4315(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	m := testMailbox(t, s, "INBOX")
	date := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	v1, uid1, err := m.Append(ctx, strings.NewReader(testMsg), nil, date)
	require.NoError(t, err)
	v2, uid2, err := m.Append(ctx, strings.NewReader(testMsg), []string{`\seen`, "$Label1"}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, v1, v2)
	assert.Equal(t, []uint32{1, 2}, []uint32{uid1, uid2})

	l, err := ReadUIDList(s.Root())
	require.NoError(t, err)
	assert.Equal(t, v1, l.Validity)
	require.Len(t, l.Records, 2)

	msgs, err := m.Messages(ctx)
	require.NoError(t, err)
	require.Len(t, msgs, 2)
	assert.Empty(t, msgs[0].Flags)
	assert.Equal(t, []string{`\Seen`, "$Label1"}, msgs[1].Flags)
	assert.True(t, msgs[0].InternalDate.Equal(date))
	assert.Equal(t, int64(len(strings.ReplaceAll(testMsg, "\n", "\r\n"))), msgs[0].Size)
	assert.NotZero(t, msgs[0].ModSeq)
	assert.Less(t, msgs[0].ModSeq, msgs[1].ModSeq)

	msg, err := m.Open(ctx, uid2)
	require.NoError(t, err)
	data, err := io.ReadAll(io.NewSectionReader(msg, 0, msg.Size()))
	msg.Close()
	require.NoError(t, err)
	assert.Equal(t, strings.ReplaceAll(testMsg, "\n", "\r\n"), string(data))

	st, err := m.Status(ctx)
	require.NoError(t, err)
	assert.Equal(t, &Status{Messages: 2, Unseen: 1, UIDNext: 3, UIDValidity: v1, Size: 2 * msgs[0].Size,
		HighestModSeq: msgs[1].ModSeq, Keywords: []string{"$Label1"}}, st)

	_, err = m.Open(ctx, 99)
	assert.ErrorIs(t, err, ErrExpunged)
	structure, err := m.Structure(ctx, uid1)
	require.NoError(t, err)
	assert.NotNil(t, structure)
}

// TestStoreSetFlagsRFC3501Section6_4_6 runs FLAGS, +FLAGS and -FLAGS,
// keywords, a letter without IMAP flag kept (P, as Dovecot keeps it),
// and UNCHANGEDSINCE (RFC 7162 section 3.1.3).
func TestStoreSetFlagsRFC3501Section6_4_6(t *testing.T) {
	tests := []struct {
		name      string
		start     string // letters of the file
		op        FlagOp
		flags     []string
		wantFlags []string
		wantFile  string // info letters after
	}{
		{"add", "S", FlagsAdd, []string{`\Flagged`}, []string{`\Seen`, `\Flagged`}, "FS"},
		{"remove", "FS", FlagsRemove, []string{`\SEEN`}, []string{`\Flagged`}, "F"},
		{"replace keeps P", "PS", FlagsReplace, []string{`\Answered`}, []string{`\Answered`}, "PR"},
		{"keyword", "", FlagsAdd, []string{"Junk"}, []string{"Junk"}, "a"},
		{"replace with keyword", "Sa", FlagsReplace, []string{"$Label2"}, []string{"$Label2"}, "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			root := t.TempDir()
			require.NoError(t, Create(root))
			var kw Keywords
			kw[0] = "Junk"
			require.NoError(t, WriteKeywords(root, kw))
			path := filepath.Join(root, "cur", "1.M1.host:2,"+tt.start)
			require.NoError(t, os.WriteFile(path, []byte(testMsg), 0o600))
			s := openTestStore(t, root)
			m := testMailbox(t, s, "INBOX")
			msgs, err := m.Messages(ctx)
			require.NoError(t, err)
			require.Len(t, msgs, 1)
			changed, failed, err := m.SetFlags(ctx, nil, []uint32{msgs[0].UID}, tt.op, tt.flags, 0)
			require.NoError(t, err)
			assert.Empty(t, failed)
			require.Len(t, changed, 1)
			assert.Equal(t, tt.wantFlags, changed[0].Flags)
			assert.Greater(t, changed[0].ModSeq, msgs[0].ModSeq)
			files, err := scanFiles(root)
			require.NoError(t, err)
			require.Len(t, files, 1)
			assert.Equal(t, tt.wantFile, files[0].Flags)

			_, failed, err = m.SetFlags(ctx, nil, []uint32{msgs[0].UID}, FlagsAdd, []string{`\Deleted`}, msgs[0].ModSeq)
			require.NoError(t, err)
			assert.Equal(t, []uint32{msgs[0].UID}, failed, "UNCHANGEDSINCE below the modseq fails")
		})
	}
}

// TestStoreKeywordsFull answers ErrKeywordsFull for a 27th keyword.
func TestStoreKeywordsFull(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	m := testMailbox(t, s, "INBOX")
	uid := appendTest(t, m)
	for i := 0; i < 26; i++ {
		_, _, err := m.SetFlags(ctx, nil, []uint32{uid}, FlagsAdd, []string{"k" + string(rune('a'+i))}, 0)
		require.NoError(t, err)
	}
	_, _, err := m.SetFlags(ctx, nil, []uint32{uid}, FlagsAdd, []string{"one-too-many"}, 0)
	assert.ErrorIs(t, err, ErrKeywordsFull)
}

// TestStoreRemoveCopyMoveRFC6851 removes, copies and moves, and checks
// VANISHED (EARLIER) of the expunges (RFC 7162 section 3.2.5.1).
func TestStoreRemoveCopyMoveRFC6851(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	require.NoError(t, s.CreateFolder(ctx, "Archive", `\Archive`))
	inbox, archive := testMailbox(t, s, "INBOX"), testMailbox(t, s, "Archive")
	u1, u2, u3 := appendTest(t, inbox, `\Seen`), appendTest(t, inbox, "Work"), appendTest(t, inbox)
	st, err := inbox.Status(ctx)
	require.NoError(t, err)

	removed, err := inbox.Remove(ctx, nil, []uint32{u3, 42})
	require.NoError(t, err)
	assert.Equal(t, []uint32{u3}, removed)

	v, uids, err := inbox.Copy(ctx, []uint32{u1, u3}, archive)
	require.NoError(t, err)
	ast, err := archive.Status(ctx)
	require.NoError(t, err)
	assert.Equal(t, ast.UIDValidity, v)
	assert.Equal(t, []uint32{1}, uids, "the expunged message is not copied")

	_, uids, err = inbox.Move(ctx, nil, []uint32{u2}, archive)
	require.NoError(t, err)
	assert.Equal(t, []uint32{2}, uids)

	got, err := archive.Messages(ctx)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, []string{`\Seen`}, got[0].Flags)
	assert.Equal(t, []string{"Work"}, got[1].Flags)
	left, err := inbox.Messages(ctx)
	require.NoError(t, err)
	require.Len(t, left, 1)
	assert.Equal(t, u1, left[0].UID)

	changed, vanished, err := inbox.ChangedSince(ctx, st.HighestModSeq)
	require.NoError(t, err)
	assert.Empty(t, changed)
	assert.Equal(t, []uint32{u2, u3}, vanished)

	folders, err := s.Folders(ctx)
	require.NoError(t, err)
	uses := map[string]string{}
	for _, f := range folders {
		uses[f.Name] = f.SpecialUse
	}
	assert.Equal(t, map[string]string{"INBOX": "", "Archive": `\Archive`}, uses)
}

// TestStoreWatchersRFC2177 tells other Watchers at once and the origin
// only of appends; Store.Close closes the channels.
func TestStoreWatchersRFC2177(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	m := testMailbox(t, s, "INBOX")
	a, b := m.Watch(), m.Watch()
	uid := appendTest(t, m)
	_, _, err := m.SetFlags(ctx, a, []uint32{uid}, FlagsAdd, []string{`\Seen`}, 0)
	require.NoError(t, err)
	_, err = m.Remove(ctx, a, []uint32{uid})
	require.NoError(t, err)
	kinds := func(cs []Change) []ChangeKind {
		var out []ChangeKind
		for _, c := range cs {
			out = append(out, c.Kind)
		}
		return out
	}
	assert.Equal(t, []ChangeKind{Added}, kinds(a.Changes()))
	cb := b.Changes()
	assert.Equal(t, []ChangeKind{Added, Changed, Removed}, kinds(cb))
	assert.Equal(t, []string{`\Seen`}, cb[1].Flags)
	require.NoError(t, a.Close())
	require.NoError(t, s.Close())
	_, open := <-b.Notify()
	for open {
		_, open = <-b.Notify()
	}
}

// TestStoreDeleteRenameFolder: Watchers of a deleted folder see every
// message removed; a rename keeps the special use.
func TestStoreDeleteRenameFolder(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	require.NoError(t, s.CreateFolder(ctx, "Old", `\Sent`))
	m := testMailbox(t, s, "Old")
	uid := appendTest(t, m)
	w := m.Watch()
	require.NoError(t, s.RenameFolder(ctx, "Old", "New"))
	assert.Equal(t, []Change{{Kind: Removed, Info: Info{UID: uid}}}, w.Changes())
	_, err := m.Messages(ctx)
	assert.ErrorIs(t, err, ErrNoMailbox)
	n := testMailbox(t, s, "New")
	msgs, err := n.Messages(ctx)
	require.NoError(t, err)
	assert.Len(t, msgs, 1)
	folders, err := s.Folders(ctx)
	require.NoError(t, err)
	require.Len(t, folders, 2)
	assert.Equal(t, `\Sent`, folders[1].SpecialUse)
	require.NoError(t, s.DeleteFolder(ctx, "New"))
	_, err = s.Mailbox(ctx, "New")
	assert.ErrorIs(t, err, ErrNoMailbox)
	assert.ErrorIs(t, s.DeleteFolder(ctx, "New"), ErrNoMailbox)
}

// TestStoreLockMaildropRFC1939Section8 refuses a second session.
func TestStoreLockMaildropRFC1939Section8(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s1, s2 := openTestStore(t, root), openTestStore(t, root)
	unlock, err := s1.LockMaildrop(ctx)
	require.NoError(t, err)
	_, err = s2.LockMaildrop(ctx)
	assert.ErrorIs(t, err, ErrInUse)
	require.NoError(t, unlock())
	unlock2, err := s2.LockMaildrop(ctx)
	require.NoError(t, err)
	require.NoError(t, unlock2())
}

// TestStorePOP3UIDLFromDovecot: the P field Dovecot writes in
// dovecot-uidlist (pop3_uidl_format, RFC 1939 section 7 UIDL) is the
// message's POP3UIDL; one without it has "".
func TestStorePOP3UIDLFromDovecot(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, Create(root))
	require.NoError(t, os.WriteFile(filepath.Join(root, "cur", "1.M1.host:2,S"), []byte(testMsg), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(root, "cur", "2.M2.host:2,S"), []byte(testMsg), 0o600))
	list := "3 V1234 N3 G0123456789abcdef0123456789abcdef\n1 Pold-uidl-1 :1.M1.host\n2 :2.M2.host\n"
	require.NoError(t, os.WriteFile(filepath.Join(root, UIDListFile), []byte(list), 0o600))
	s := openTestStore(t, root)
	msgs, err := testMailbox(t, s, "INBOX").Messages(context.Background())
	require.NoError(t, err)
	require.Len(t, msgs, 2)
	assert.Equal(t, "old-uidl-1", msgs[0].POP3UIDL)
	assert.Equal(t, "", msgs[1].POP3UIDL)
}

// TestStoreFolderDeletedElsewhere: a folder another process deletes is
// seen by the poll of a watched Mailbox (every message Removed, the
// Watcher closed); once created again, Mailbox serves the new folder.
func TestStoreFolderDeletedElsewhere(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s1, s2 := openTestStore(t, root), openTestStore(t, root)
	require.NoError(t, s1.CreateFolder(ctx, "Box", ""))
	m := testMailbox(t, s1, "Box")
	uid := appendTest(t, m)
	w := m.Watch()
	require.NoError(t, s2.DeleteFolder(ctx, "Box"))
	for range w.Notify() {
	}
	assert.Equal(t, []Change{{Kind: Removed, Info: Info{UID: uid}}}, w.Changes())
	require.NoError(t, s2.CreateFolder(ctx, "Box", ""))
	again := testMailbox(t, s1, "Box")
	msgs, err := again.Messages(ctx)
	require.NoError(t, err)
	assert.Empty(t, msgs)
}

// failingReader fails after some of a message.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n > 0 {
		r.n = 0
		return copy(p, "Subject: cut\n"), nil
	}
	return 0, io.ErrUnexpectedEOF
}

// TestStoreAppendReaderFails: an APPEND whose data fails stores
// nothing: no message, no UID, nothing left in tmp/.
func TestStoreAppendReaderFails(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	m := testMailbox(t, s, "INBOX")
	_, _, err := m.Append(ctx, &failingReader{n: 1}, nil, time.Time{})
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	msgs, err := m.Messages(ctx)
	require.NoError(t, err)
	assert.Empty(t, msgs)
	left, err := os.ReadDir(filepath.Join(s.Root(), "tmp"))
	require.NoError(t, err)
	assert.Empty(t, left)
	assert.Equal(t, uint32(1), appendTest(t, m), "no UID was used")
}
