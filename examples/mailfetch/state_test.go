package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The state survives a save and a load, keeps accounts apart, and prune
// forgets only the given account's ids that are no longer listed.
func TestStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s, err := loadState(dir)
	require.NoError(t, err)
	assert.False(t, s.has("pop3:a@h", "m1"))
	s.add("pop3:a@h", "m1")
	s.add("pop3:a@h", "m2")
	s.add("pop3:b@h", "m1")
	s.add("pop3:a@h", "m1")
	require.NoError(t, s.save())

	s, err = loadState(dir)
	require.NoError(t, err)
	assert.True(t, s.has("pop3:a@h", "m1"))
	assert.True(t, s.has("pop3:b@h", "m1"))
	assert.False(t, s.has("pop3:b@h", "m2"))
	assert.False(t, s.prune("pop3:a@h", []string{"m1", "m2", "m3"}))
	assert.True(t, s.prune("pop3:a@h", []string{"m2"}))
	assert.False(t, s.has("pop3:a@h", "m1"))
	assert.True(t, s.has("pop3:b@h", "m1"))
	require.NoError(t, s.save())

	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	require.NoError(t, err)
	assert.Equal(t, "# mailfetch: unique ids of the messages stored in this Maildir (id account)\n"+
		"m2 pop3:a@h\nm1 pop3:b@h\n", string(b))
	left, err := filepath.Glob(filepath.Join(dir, stateFile+".tmp*"))
	require.NoError(t, err)
	assert.Empty(t, left, "no temporary file stays behind")
}

// A damaged state file is an error, not an empty state that would store
// every message again.
func TestStateDamaged(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, stateFile), []byte("m1 pop3:a@h\nbroken\n"), 0o600))
	_, err := loadState(dir)
	require.ErrorContains(t, err, ":2:")
}
