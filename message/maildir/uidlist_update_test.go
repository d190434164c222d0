package maildir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUpdateUIDList: a new list gets the validity and a GUID; Add only
// appends lines (the header stays, as with Dovecot); other changes
// rewrite the file; an error from fn leaves it alone; the lock is gone
// afterwards.
func TestUpdateUIDList(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, UIDListFile)
	ctx := context.Background()
	_, err := ReadUIDList(dir)
	require.ErrorIs(t, err, fs.ErrNotExist)

	l, err := UpdateUIDList(ctx, dir, 1700, func(l *UIDList) error { l.Add("a"); return nil })
	require.NoError(t, err)
	require.Len(t, l.GUID, 32)
	header := fmt.Sprintf("3 V1700 N2 G%s\n", l.GUID)
	assertFile(t, path, header+"1 :a\n")

	_, err = UpdateUIDList(ctx, dir, 1, func(l *UIDList) error {
		assert.Equal(t, uint32(2), l.Add("b", "W10"))
		assert.Equal(t, uint32(3), l.Add("c"))
		return nil
	})
	require.NoError(t, err)
	assertFile(t, path, header+"1 :a\n2 W10 :b\n3 :c\n")

	_, err = UpdateUIDList(ctx, dir, 1, func(l *UIDList) error { return errors.New("no") })
	require.Error(t, err)
	_, err = UpdateUIDList(ctx, dir, 1, func(l *UIDList) error {
		l.Records = l.Records[1:] // an expunge
		return nil
	})
	require.NoError(t, err)
	assertFile(t, path, fmt.Sprintf("3 V1700 N4 G%s\n2 W10 :b\n3 :c\n", l.GUID))
	assert.NoFileExists(t, path+".lock")
	assert.NoFileExists(t, path+".tmp")
}

// TestUpdateUIDList_Rewrites: a version 1 file, one without a GUID, and
// one ending in a line cut short are rewritten whole, not appended to.
func TestUpdateUIDList_Rewrites(t *testing.T) {
	for name, in := range map[string]string{
		"version 1": "1 5 3\n2 x:2,S\n",
		"no guid":   "3 V5 N3\n2 :x\n",
		"cut short": "3 V5 N3 G3085f01b7f11094c501100008c4a11c1\n2 :x\n3 :y",
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, UIDListFile)
		require.NoError(t, os.WriteFile(path, []byte(in), 0o600))
		l, err := UpdateUIDList(context.Background(), dir, 1, func(l *UIDList) error { l.Add("z"); return nil })
		require.NoError(t, err, name)
		assertFile(t, path, fmt.Sprintf("3 V5 N4 G%s\n2 :x\n3 :z\n", l.GUID))
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, UIDListFile), []byte("3 V5 N3\n2 :x\n1 :y\n"), 0o600))
	_, err := UpdateUIDList(context.Background(), dir, 1, func(*UIDList) error { return nil })
	assert.ErrorIs(t, err, ErrCorruptUIDList)
}

// TestUpdateUIDList_Concurrent: writers racing under the dotlock never
// hand out one UID twice, and every message they added is listed once.
func TestUpdateUIDList_Concurrent(t *testing.T) {
	dir := t.TempDir()
	const writers, each = 4, 50
	uids := make([][]uint32, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				_, err := UpdateUIDList(context.Background(), dir, 1, func(l *UIDList) error {
					if i%10 == 9 {
						l.Records = append([]UIDRecord(nil), l.Records...) // a rewrite now and then
						l.Extra = append(l.Extra, fmt.Sprintf("X%d.%d", w, i))
					}
					uids[w] = append(uids[w], l.Add(fmt.Sprintf("m%d.%d", w, i)))
					return nil
				})
				if !assert.NoError(t, err) {
					return
				}
			}
		})
	}
	wg.Wait()
	seen := make(map[uint32]bool)
	for _, list := range uids {
		for _, uid := range list {
			require.False(t, seen[uid], "UID %d given twice", uid)
			seen[uid] = true
		}
	}
	l, err := ReadUIDList(dir)
	require.NoError(t, err)
	require.Len(t, l.Records, writers*each)
	assert.Equal(t, uint32(writers*each+1), l.Next)
}

func assertFile(t *testing.T, path, want string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, string(data))
}
