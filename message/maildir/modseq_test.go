package maildir

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// modRecords returns the record lines of ModSeqFile.
func modRecords(t *testing.T, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, ModSeqFile))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	require.True(t, strings.HasPrefix(lines[0], modLogHeader+" V"), lines[0])
	return lines[1:]
}

// TestModSeqOutsideChangesRFC7162Section3_1: a file an MDA drops into
// new/, and a rename of its flags by another program (Dovecot), get a
// UID and mod-sequences from the first Store that sees them; the second
// Store adopts them, so each change is recorded once and both agree.
func TestModSeqOutsideChangesRFC7162Section3_1(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s1, s2 := openTestStore(t, root), openTestStore(t, root)
	m1, m2 := testMailbox(t, s1, "INBOX"), testMailbox(t, s2, "INBOX")
	w := m2.Watch()
	defer w.Close()
	require.NoError(t, os.WriteFile(filepath.Join(root, "new", "1700000000.M1P1.mda"), []byte(testMsg), 0o600))

	a, err := m1.Messages(ctx)
	require.NoError(t, err)
	require.Len(t, a, 1)
	b, err := m2.Messages(ctx)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.Len(t, modRecords(t, root), 1, "one A record, adopted by the second Store")

	require.NoError(t, os.Rename(filepath.Join(root, "new", "1700000000.M1P1.mda"),
		filepath.Join(root, "cur", "1700000000.M1P1.mda:2,FS")))
	m1.forceRescan()
	a, err = m1.Messages(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{`\Seen`, `\Flagged`}, a[0].Flags)
	m2.forceRescan()
	b, err = m2.Messages(ctx)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.Len(t, modRecords(t, root), 2, "one F record")
	var kinds []ChangeKind
	for _, c := range w.Changes() {
		kinds = append(kinds, c.Kind)
	}
	assert.Equal(t, []ChangeKind{Added, Changed}, kinds)

	require.NoError(t, os.Remove(filepath.Join(root, "cur", "1700000000.M1P1.mda:2,FS")))
	m2.forceRescan()
	_, vanished, err := m2.ChangedSince(ctx, a[0].ModSeq)
	require.NoError(t, err)
	assert.Equal(t, []uint32{a[0].UID}, vanished)
	_, vanished, err = m1.ChangedSince(ctx, a[0].ModSeq)
	require.NoError(t, err)
	assert.Equal(t, []uint32{a[0].UID}, vanished)
}

// TestModSeqCompaction: a log grown past four times its live records is
// rewritten; HIGHESTMODSEQ does not decrease, mod-sequences and the
// expunges kept for VANISHED (EARLIER) survive (RFC 7162 section 3.2.5.1).
func TestModSeqCompaction(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s := openTestStore(t, root)
	m := testMailbox(t, s, "INBOX")
	keep, gone := appendTest(t, m), appendTest(t, m)
	_, err := m.Remove(ctx, nil, []uint32{gone})
	require.NoError(t, err)
	for i := range 1100 {
		op := FlagsAdd
		if i%2 == 1 {
			op = FlagsRemove
		}
		_, _, err := m.SetFlags(ctx, nil, []uint32{keep}, op, []string{`\Seen`}, 0)
		require.NoError(t, err)
	}
	assert.Less(t, len(modRecords(t, root)), 1100, "the log was compacted")
	st, err := m.Status(ctx)
	require.NoError(t, err)
	fresh := openTestStore(t, root)
	fm := testMailbox(t, fresh, "INBOX")
	fst, err := fm.Status(ctx)
	require.NoError(t, err)
	assert.Equal(t, st.HighestModSeq, fst.HighestModSeq)
	_, vanished, err := fm.ChangedSince(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, []uint32{gone}, vanished)
	a, _ := m.Messages(ctx)
	b, _ := fm.Messages(ctx)
	assert.Equal(t, a, b)
	assert.GreaterOrEqual(t, st.HighestModSeq, uint64(1103))
}

// TestModSeqExpungeUndone: a message recorded expunged whose file is
// still there (a readdir that raced a rename missed it) comes back with
// a new mod-sequence, in this Store and in another.
func TestModSeqExpungeUndone(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s1, s2 := openTestStore(t, root), openTestStore(t, root)
	m1, m2 := testMailbox(t, s1, "INBOX"), testMailbox(t, s2, "INBOX")
	uid := appendTest(t, m1)
	_, err := m2.Messages(ctx)
	require.NoError(t, err)
	m1.mu.Lock()
	m1.locked(ctx, newChangeSet(), func(l *UIDList) error {
		m1.dropEntry(uid) // as record does for a file a scan missed
		return m1.appendLog(l.Validity, []modRec{{kind: 'X', uid: uid}})
	})
	m1.mu.Unlock()
	m1.forceRescan()
	a, err := m1.Messages(ctx)
	require.NoError(t, err)
	require.Len(t, a, 1)
	m2.forceRescan()
	b, err := m2.Messages(ctx)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	recs := modRecords(t, root)
	assert.Regexp(t, `^\d+ A 1 :$`, recs[len(recs)-1])
}
