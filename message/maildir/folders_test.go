package maildir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newRoot(t *testing.T, folders ...string) string {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, Create(root))
	for _, f := range folders {
		require.NoError(t, CreateFolder(root, f))
	}
	return root
}

func listNames(t *testing.T, root string) map[string]Folder {
	t.Helper()
	fs, err := ListFolders(root)
	require.NoError(t, err)
	out := map[string]Folder{}
	for _, f := range fs {
		out[f.Name] = f
	}
	return out
}

// TestCreateFolder makes what Dovecot makes: ".Name" with cur, new, tmp
// and an empty maildirfolder, no directory for the parent of a nested
// name, and ErrFolderExists the second time and for INBOX.
func TestCreateFolder(t *testing.T) {
	root := newRoot(t, "Entwürfe2", "a.b")
	dir := filepath.Join(root, ".Entw&APw-rfe2")
	require.True(t, Exists(dir))
	st, err := os.Stat(filepath.Join(dir, FolderMarker))
	require.NoError(t, err)
	assert.Zero(t, st.Size())
	assert.True(t, dirExists(filepath.Join(dir, "tmp")))
	assert.True(t, dirExists(filepath.Join(dir, "new")))
	assert.False(t, dirExists(filepath.Join(root, ".a")), "no parent directory")
	_, err = os.Stat(filepath.Join(root, FolderMarker))
	assert.True(t, os.IsNotExist(err), "no maildirfolder in the root")

	for _, name := range []string{"Entwürfe2", "INBOX", "inbox", "a.b."} {
		assert.ErrorIs(t, CreateFolder(root, name), ErrFolderExists, name)
	}
	require.ErrorIs(t, CreateFolder(root, "x/y"), ErrInvalidName)
	require.ErrorIs(t, CreateFolder(root, strings.Repeat("n", 255)), ErrNameTooLong)
	des, err := os.ReadDir(root)
	require.NoError(t, err)
	assert.Len(t, des, 5, "cur new tmp and the two folders, nothing for refused names")
}

// TestListFolders: INBOX first, then sorted UTF-8 names; a parent that
// exists only as a prefix is listed \Noselect with children, as
// Dovecot's LIST shows it; files, trash and broken names are skipped.
func TestListFolders(t *testing.T) {
	root := newRoot(t, "Sent", "Entwürfe2", "a.b.c", "a.b", "INBOX.sub", "z")
	require.NoError(t, os.WriteFile(filepath.Join(root, ".notadir"), nil, 0o600))
	require.NoError(t, os.Mkdir(filepath.Join(root, trashDir), 0o700))
	require.NoError(t, os.Mkdir(filepath.Join(root, ".bare"), 0o700)) // no cur yet: Dovecot lists it
	fs, err := ListFolders(root)
	require.NoError(t, err)
	var names []string
	for _, f := range fs {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"INBOX", "Entwürfe2", "INBOX.sub", "Sent", "a", "a.b", "a.b.c", "bare", "z"}, names)
	got := listNames(t, root)
	assert.Equal(t, Folder{Name: "a", NoSelect: true, HasChildren: true}, got["a"])
	assert.Equal(t, Folder{Name: "a.b", Dir: filepath.Join(root, ".a.b"), HasChildren: true}, got["a.b"])
	assert.False(t, got["a.b.c"].HasChildren)
	assert.Equal(t, Folder{Name: "INBOX", Dir: root, HasChildren: true}, got["INBOX"])
	assert.True(t, dirExists(filepath.Join(root, trashDir)), "a fresh trash is left to its deleter")

	old := time.Now().Add(-2 * time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(root, trashDir), old, old))
	_, err = ListFolders(root)
	require.NoError(t, err)
	assert.False(t, dirExists(filepath.Join(root, trashDir)), "an hour-old trash is removed")
}

// TestDeleteFolder removes the folder with its messages and state files
// and leaves its children, which Maildir++ keeps in directories of
// their own; the name then lists as \Noselect.
func TestDeleteFolder(t *testing.T) {
	root := newRoot(t, "a", "a.b", "ab")
	dir := filepath.Join(root, ".a")
	_, err := Write(dir, strings.NewReader("x\r\n"), "", time.Time{})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dovecot-uidlist"), []byte("3 V1 N2\n1 :x\n"), 0o600))

	require.NoError(t, DeleteFolder(root, "a"))
	assert.False(t, dirExists(dir))
	assert.False(t, dirExists(filepath.Join(root, trashDir)))
	got := listNames(t, root)
	assert.True(t, got["a"].NoSelect)
	assert.True(t, Exists(got["a.b"].Dir))
	assert.True(t, Exists(got["ab"].Dir))

	assert.ErrorIs(t, DeleteFolder(root, "a"), ErrNoFolder, "a parent without a directory")
	assert.ErrorIs(t, DeleteFolder(root, "nothing"), ErrNoFolder)
	assert.ErrorIs(t, DeleteFolder(root, "inbox"), ErrInboxNotPossible)
	assert.ErrorIs(t, DeleteFolder(root, "a..b"), ErrInvalidName)
}

// TestDeleteFolder_TrashInUse: a trash directory left by another
// deletion (or a crash) does not stop a deletion; both go.
func TestDeleteFolder_TrashInUse(t *testing.T) {
	root := newRoot(t, "x")
	require.NoError(t, os.MkdirAll(filepath.Join(root, trashDir, "cur"), 0o700))
	require.NoError(t, DeleteFolder(root, "x"))
	assert.False(t, dirExists(filepath.Join(root, ".x")))
	assert.False(t, dirExists(filepath.Join(root, trashDir)))
}

// TestRenameFolder moves the folder and its children as Dovecot does,
// leaves names that only share a prefix, and refuses what Dovecot
// refuses.
func TestRenameFolder(t *testing.T) {
	root := newRoot(t, "p", "p.c1", "p.c1.d", "px", "p.x.y", "Sent", "q.r")
	require.NoError(t, RenameFolder(root, "p", "Entwürfe2"))
	got := listNames(t, root)
	for _, name := range []string{"Entwürfe2", "Entwürfe2.c1", "Entwürfe2.c1.d", "Entwürfe2.x.y", "px"} {
		assert.True(t, Exists(got[name].Dir), name)
	}
	assert.True(t, dirExists(filepath.Join(root, ".Entw&APw-rfe2.c1.d")))
	assert.NotContains(t, got, "p")

	// A name that is only a parent renames its children.
	require.NoError(t, RenameFolder(root, "q", "Q"))
	assert.True(t, dirExists(filepath.Join(root, ".Q.r")))

	for _, tc := range []struct {
		from, to string
		err      error
	}{
		{"Entwürfe2.c1", "Sent", ErrFolderExists},
		{"px", "Entwürfe2.c1.d", ErrFolderExists},
		{"Entwürfe2", "Entwürfe2.sub", ErrInvalidName},
		{"Sent", "Sent", ErrInvalidName},
		{"INBOX", "Old", ErrInboxNotPossible},
		{"Sent", "inbox", ErrFolderExists},
		{"nothing", "new", ErrNoFolder},
		{"Sent", "x/y", ErrInvalidName},
		{"Entwürfe2", strings.Repeat("n", 250), ErrNameTooLong}, // the child's new name is too long
	} {
		assert.ErrorIs(t, RenameFolder(root, tc.from, tc.to), tc.err, "%s -> %s", tc.from, tc.to)
	}
	assert.True(t, dirExists(filepath.Join(root, ".Entw&APw-rfe2.c1")), "a refused rename moves nothing")
}
