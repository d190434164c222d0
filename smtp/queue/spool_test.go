package queue

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/smtp"
)

func readAll(t *testing.T, s Store, id string) string {
	t.Helper()
	rc, err := s.Open(id)
	require.NoError(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	return string(b)
}

func TestSpool_CreateUpdateRemove(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenSpool(dir)
	require.NoError(t, err)
	e := &Entry{
		ID: "m1", From: "alice@a.test",
		Options:    smtp.MailOptions{EnvelopeID: "env-1", Return: smtp.ReturnHeaders},
		Recipients: []Recipient{{Addr: "bob@b.test", Options: smtp.RcptOptions{Notify: []smtp.DSNNotify{smtp.NotifySuccess}}}},
		Arrived:    time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	require.NoError(t, s.Create(e, strings.NewReader("Subject: hi\r\n\r\nbody\r\n")))
	assert.EqualValues(t, 21, e.Size)
	assert.ErrorIs(t, s.Create(e, strings.NewReader("x")), ErrExists)

	e.Recipients[0].State = Deferred
	e.Recipients[0].Reply = smtp.NewReply(451, smtp.EnhancedCode{4, 3, 0}, "later")
	require.NoError(t, s.Update(e))

	// A second Spool on the same folder sees what the first stored, as
	// a restarted process does.
	s2, err := OpenSpool(dir)
	require.NoError(t, err)
	list, err := s2.List()
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, e, list[0])
	assert.Equal(t, "Subject: hi\r\n\r\nbody\r\n", readAll(t, s2, "m1"))

	require.NoError(t, s2.Remove("m1"))
	assert.ErrorIs(t, s2.Remove("m1"), ErrNotFound)
	_, err = s2.Open("m1")
	assert.ErrorIs(t, err, ErrNotFound)
	list, err = s2.List()
	require.NoError(t, err)
	assert.Empty(t, list)
}

// A crash between writing the message and its envelope leaves a message
// without an entry, and one in the middle of a write leaves a file in
// tmp; neither was acknowledged, and OpenSpool clears both.
func TestSpool_RFC5321_6_1_InterruptedWritesCleared(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenSpool(dir)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, msgDir, "orphan"), []byte("x"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, tmpDir, "half.123"), []byte("x"), 0o600))
	require.NoError(t, s.Create(&Entry{ID: "kept"}, strings.NewReader("kept")))

	_, err = OpenSpool(dir)
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(dir, msgDir, "orphan"))
	assert.True(t, os.IsNotExist(err))
	_, err = os.Stat(filepath.Join(dir, tmpDir, "half.123"))
	assert.True(t, os.IsNotExist(err))
	assert.Equal(t, "kept", readAll(t, s, "kept"))
}

func TestSpool_IDCannotEscape(t *testing.T) {
	s, err := OpenSpool(t.TempDir())
	require.NoError(t, err)
	for _, id := range []string{"", ".", "..", "../x", "a/b", `a\b`} {
		assert.Error(t, s.Create(&Entry{ID: id}, strings.NewReader("x")), id)
		_, err := s.Open(id)
		assert.ErrorIs(t, err, ErrNotFound, id)
	}
}

// A message the reader fails on is not stored: the SMTP server then
// refuses it and the client keeps it (RFC 5321 section 6.1).
func TestSpool_ReadErrorStoresNothing(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenSpool(dir)
	require.NoError(t, err)
	err = s.Create(&Entry{ID: "m"}, io.MultiReader(strings.NewReader("part"), errReader{}))
	require.ErrorIs(t, err, errBroken)
	list, err := s.List()
	require.NoError(t, err)
	assert.Empty(t, list)
	left, err := os.ReadDir(filepath.Join(dir, tmpDir))
	require.NoError(t, err)
	assert.Empty(t, left)
}

var errBroken = io.ErrUnexpectedEOF

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBroken }
