package imap

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// loadCorpus returns the messages of testdata/corpus with CRLF line
// endings, as they travel on the wire, sorted by file name.
func loadCorpus(t testing.TB) [][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*.eml")
	require.NoError(t, err)
	sort.Strings(files)
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		out = append(out, b)
	}
	return out
}

// seedMaildir writes msgs into folder ("" for INBOX) of the Maildir
// directly, as a delivery agent would, owned by the mail user.
func (d *dovecot) seedMaildir(t testing.TB, folder string, msgs [][]byte) {
	t.Helper()
	dir := d.Maildir
	if folder != "" {
		dir = filepath.Join(dir, "."+folder)
	}
	for _, sub := range []string{"cur", "new", "tmp"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, sub), 0o755))
	}
	for i, m := range msgs {
		name := fmt.Sprintf("%d.M%dP1.mailwire,S=%d:2,", 1700000000+i, i, len(m))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "cur", name), m, 0o644))
	}
	require.NoError(t, exec.Command("chown", "-R", "nobody:nogroup", d.Maildir).Run())
}

// maildirFiles returns the contents of every message file of folder.
func (d *dovecot) maildirFiles(t testing.TB, folder string) [][]byte {
	t.Helper()
	dir := d.Maildir
	if folder != "" {
		dir = filepath.Join(dir, "."+folder)
	}
	var out [][]byte
	for _, sub := range []string{"cur", "new"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		require.NoError(t, err)
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, sub, e.Name()))
			require.NoError(t, err)
			out = append(out, b)
		}
	}
	return out
}
