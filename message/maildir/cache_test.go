package maildir

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fillFolder drops n messages into cur/ as an MDA would (no UIDs yet).
func fillFolder(t testing.TB, dir string, n int) {
	t.Helper()
	for i := range n {
		body := fmt.Sprintf("From: a@example.com\nSubject: %d\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\npart %d\n--b--\n", i, i)
		name := fmt.Sprintf("%d.M%dP1.host,S=%d:2,S", 1600000000+i, i, len(body))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "cur", name), []byte(body), 0o600))
	}
}

// TestStoreRestartUsesCacheFile: a second Store on the same root gives
// the same UIDs, dates, sizes and mod-sequences, and the structures,
// without a stat of the message files and without parsing them.
func TestStoreRestartUsesCacheFile(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	require.NoError(t, Create(root))
	fillFolder(t, root, 20)
	s1, err := OpenStore(root, nil)
	require.NoError(t, err)
	m1 := testMailbox(t, s1, "INBOX")
	before, err := m1.Messages(ctx)
	require.NoError(t, err)
	require.Len(t, before, 20)
	var structures []string
	for _, in := range before {
		st, err := m1.Structure(ctx, in.UID)
		require.NoError(t, err)
		structures = append(structures, fmt.Sprint(st.Type, st.Parts[0].Lines))
	}
	require.NoError(t, s1.Close())

	stats, parsed := statCount.Load(), parses.Load()
	s2 := openTestStore(t, root)
	m2 := testMailbox(t, s2, "INBOX")
	after, err := m2.Messages(ctx)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	for i, in := range after {
		st, err := m2.Structure(ctx, in.UID)
		require.NoError(t, err)
		assert.Equal(t, structures[i], fmt.Sprint(st.Type, st.Parts[0].Lines))
	}
	assert.Equal(t, stats, statCount.Load(), "no message file was stat'ed")
	assert.Equal(t, parsed, parses.Load(), "no message was parsed")
}

// TestCacheFileTornRecord: a record cut short by a crash, followed by
// good ones, is skipped; the rest are read.
func TestCacheFileTornRecord(t *testing.T) {
	a := (&cacheRec{kind: 'M', base: "a", date: 1, size: 2}).encode()
	b := (&cacheRec{kind: 'S', base: "b", date: 3, size: 4, checkpoints: []Checkpoint{{0, 0}}, structure: []byte("x")}).encode()
	data := append(append(append([]byte{}, a[:len(a)-2]...), b...), a...)
	var got []string
	end := readCacheRecords(data, 0, func(r cacheRec, _ []byte) { got = append(got, r.base) })
	assert.Equal(t, []string{"b", "a"}, got)
	assert.Equal(t, int64(len(data)), end)
	bad := append([]byte{}, b...)
	bad[len(bad)-1] ^= 1
	got = nil
	readCacheRecords(bad, 0, func(r cacheRec, _ []byte) { got = append(got, r.base) })
	assert.Empty(t, got, "a CRC mismatch is skipped")
}

// BenchmarkMessagesAfterRestart: Messages of a 10,000-message folder
// from a new Store (CacheFile and ModSeqFile read, nothing stat'ed),
// then the Structure of all from CacheFile. It reports the memory the
// index takes per message.
func BenchmarkMessagesAfterRestart(b *testing.B) {
	ctx := context.Background()
	root := b.TempDir()
	require.NoError(b, Create(root))
	const n = 10000
	fillFolder(b, root, n)
	s, err := OpenStore(root, nil)
	require.NoError(b, err)
	m, _ := s.Mailbox(ctx, "INBOX")
	msgs, err := m.Messages(ctx)
	require.NoError(b, err)
	for _, in := range msgs {
		_, err := m.Structure(ctx, in.UID)
		require.NoError(b, err)
	}
	s.Close()
	old := time.Now().Add(-time.Hour) // trusted stamps: no rescan within the tick
	require.NoError(b, os.Chtimes(filepath.Join(root, "cur"), old, old))
	require.NoError(b, os.Chtimes(filepath.Join(root, "new"), old, old))
	b.Run("Messages", func(b *testing.B) {
		for b.Loop() {
			s, _ := OpenStore(root, nil)
			m, _ := s.Mailbox(ctx, "INBOX")
			if msgs, err := m.Messages(ctx); err != nil || len(msgs) != n {
				b.Fatal(err, len(msgs))
			}
			s.Close()
		}
	})
	b.Run("Structure", func(b *testing.B) {
		for b.Loop() {
			s, _ := OpenStore(root, &StoreOptions{CacheSize: 16})
			m, _ := s.Mailbox(ctx, "INBOX")
			msgs, _ := m.Messages(ctx)
			for _, in := range msgs {
				if _, err := m.Structure(ctx, in.UID); err != nil {
					b.Fatal(err)
				}
			}
			s.Close()
		}
	})
	b.Run("Memory", func(b *testing.B) {
		for b.Loop() {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			s, _ := OpenStore(root, nil)
			m, _ := s.Mailbox(ctx, "INBOX")
			m.Status(ctx)
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-B/msg")
			runtime.KeepAlive(m)
			s.Close()
		}
	})
}

// TestCacheFileCompaction: a CacheFile holding records of expunged
// messages is rewritten with one record per message; a Store that
// still has the old offsets finds the structures in the new file
// without parsing the messages again.
func TestCacheFileCompaction(t *testing.T) {
	defer func(old int) { cacheCompactMin = old }(cacheCompactMin)
	cacheCompactMin = 0
	ctx := context.Background()
	root := t.TempDir()
	s1, err := OpenStore(root, &StoreOptions{CacheSize: 1}) // structures read from the file
	require.NoError(t, err)
	defer s1.Close()
	m1 := testMailbox(t, s1, "INBOX")
	var uids []uint32
	for range 10 {
		uid := appendTest(t, m1)
		_, err := m1.Structure(ctx, uid)
		require.NoError(t, err)
		uids = append(uids, uid)
	}
	_, err = m1.Remove(ctx, nil, uids[:8])
	require.NoError(t, err)
	before, err := os.Stat(filepath.Join(root, CacheFile))
	require.NoError(t, err)

	s2 := openTestStore(t, root)
	_, err = testMailbox(t, s2, "INBOX").Messages(ctx)
	require.NoError(t, err)
	after, err := os.Stat(filepath.Join(root, CacheFile))
	require.NoError(t, err)
	assert.Less(t, after.Size(), before.Size(), "compacted")
	assert.False(t, os.SameFile(before, after))

	parsed := parses.Load()
	cacheCompactMin = 1 << 30 // m1 does not compact it again itself
	for _, uid := range uids[8:] {
		_, err := m1.Structure(ctx, uid) // m1's offsets are of the old file
		require.NoError(t, err)
	}
	s3 := openTestStore(t, root)
	m3 := testMailbox(t, s3, "INBOX")
	for _, uid := range uids[8:] {
		_, err := m3.Structure(ctx, uid)
		require.NoError(t, err)
	}
	assert.Equal(t, parsed, parses.Load(), "no message parsed again")
}
