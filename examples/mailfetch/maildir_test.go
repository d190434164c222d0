package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The folder and its tmp, new and cur are created; the message lands in
// new/ under a unique Maildir name with LF line ends, readable only by the
// owner.
func TestMaildirDeliver(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "Maildir")
	md, err := openMaildir(dir)
	require.NoError(t, err)
	for _, sub := range []string{"tmp", "new", "cur"} {
		st, err := os.Stat(filepath.Join(dir, sub))
		require.NoError(t, err)
		assert.True(t, st.IsDir())
	}
	p1, err := md.deliverFlags(strings.NewReader("Subject: x\r\n\r\nbody\r\n"), nil)
	require.NoError(t, err)
	p2, err := md.deliverFlags(strings.NewReader("y\r\n"), nil)
	require.NoError(t, err)
	assert.NotEqual(t, p1, p2)
	assert.Equal(t, filepath.Join(dir, "new"), filepath.Dir(p1))
	b, err := os.ReadFile(p1)
	require.NoError(t, err)
	assert.Equal(t, "Subject: x\n\nbody\n", string(b))
	st, err := os.Stat(p1)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	// time.unique.host (the Maildir specification): no ":" before the
	// info part, no "/".
	parts := strings.SplitN(filepath.Base(p1), ".", 3)
	require.Len(t, parts, 3)
	assert.Regexp(t, `^[0-9]+$`, parts[0])
	assert.NotContains(t, filepath.Base(p1), ":")
	assert.Empty(t, files(t, dir, "tmp"))
}

type failingReader struct{ sent bool }

func (r *failingReader) Read(p []byte) (int, error) {
	if !r.sent {
		r.sent = true
		return copy(p, "Subject: partial\r\n"), nil
	}
	return 0, errors.New("connection reset")
}

// A reader that fails leaves nothing behind, in tmp/ or new/.
func TestMaildirDeliverFailure(t *testing.T) {
	dir := t.TempDir()
	md, err := openMaildir(dir)
	require.NoError(t, err)
	_, err = md.deliverFlags(&failingReader{}, nil)
	require.ErrorContains(t, err, "connection reset")
	assert.Empty(t, files(t, dir, "tmp"))
	assert.Empty(t, files(t, dir, "new"))
	_, err = md.deliverFlags(io.MultiReader(), nil)
	require.NoError(t, err, "an empty message is still a message")
	assert.Equal(t, []string{""}, files(t, dir, "new"))
}
