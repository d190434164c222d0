package mailstore

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestUIDList: the list survives a reread and ignores a line cut short
// by a crash.
func TestUIDList(t *testing.T) {
	dir := t.TempDir()
	first, second := "1700000000.M1P2Q1.host,S=3,W=4", "1700000000.M1P2Q2.host,S=3,W=4"
	l, err := ReadUIDList(dir, 42)
	require.NoError(t, err)
	require.NoError(t, l.Add(dir, 1, first))
	require.NoError(t, l.Add(dir, 2, second))
	f, err := os.OpenFile(filepath.Join(dir, UIDListFile), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("3")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	again, err := ReadUIDList(dir, 99)
	require.NoError(t, err)
	require.Equal(t, uint32(42), again.Validity)
	require.Equal(t, uint32(3), again.Next)
	require.Equal(t, map[string]uint32{first: 1, second: 2}, again.UIDs)
}
