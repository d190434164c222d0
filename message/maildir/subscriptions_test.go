package maildir

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dovecotSubscriptions is the file Dovecot 2.3.19 wrote after "doveadm
// mailbox subscribe -u alice 'with space' Entwürfe2 Sent s.c1 a.b.c".
const dovecotSubscriptions = "V\t2\n\nwith space\nEntw&APw-rfe2\nSent\ns\tc1\na\tb\tc\n"

// TestParseSubscriptions reads both versions of Dovecot's file: names
// with spaces whole, modified UTF-7 decoded, tabs as the separator in
// version 2, tab escapes undone, empty lines and repeats dropped.
func TestParseSubscriptions(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"dovecot 2.3", dovecotSubscriptions, []string{"with space", "Entwürfe2", "Sent", "s.c1", "a.b.c"}},
		{"version 1", "Sent\na.b\nEntw&APw-rfe2\n", []string{"Sent", "a.b", "Entwürfe2"}},
		{"empty file", "", nil},
		{"header only", "V\t2\n\n", nil},
		{"tab escapes", "V\t2\n\nx\x01ty\x011\x01n\tz\n", []string{"x\ty\x01\n.z"}},
		{"blank lines and repeats", "V\t2\n\nA\n\nA\nB", []string{"A", "B"}},
		{"not modified UTF-7 kept", "V\t2\n\nEntw\xc3\xbcrfe\n", []string{"Entw\xc3\xbcrfe"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSubscriptions(strings.NewReader(tc.in))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestFormatSubscriptions writes exactly what Dovecot writes, and reads
// back what it wrote (a name with a space is one name).
func TestFormatSubscriptions(t *testing.T) {
	names := []string{"with space", "Entwürfe2", "Sent", "s.c1", "a.b.c"}
	var b bytes.Buffer
	require.NoError(t, FormatSubscriptions(&b, names))
	assert.Equal(t, dovecotSubscriptions, b.String())
	back, err := ParseSubscriptions(&b)
	require.NoError(t, err)
	assert.Equal(t, names, back)

	b.Reset()
	require.NoError(t, FormatSubscriptions(&b, []string{"inbox.x y", "Ünïcødé 名前"}))
	assert.Equal(t, "V\t2\n\nINBOX\tx y\n&ANw-n&AO8-c&APg-d&AOk- &VA1STQ-\n", b.String())
}

// TestSetSubscribed: subscribing and unsubscribing through the file,
// which is replaced through its dotlock and leaves no lock behind; a
// name with a space round-trips; nothing is rewritten without a change.
func TestSetSubscribed(t *testing.T) {
	root := newRoot(t)
	for _, step := range []struct {
		name       string
		subscribe  bool
		changed    bool
		afterwards []string
	}{
		{"a b", true, true, []string{"a b"}},
		{"Entwürfe2", true, true, []string{"a b", "Entwürfe2"}},
		{"a b", true, false, []string{"a b", "Entwürfe2"}},
		{"inbox", true, true, []string{"a b", "Entwürfe2", "INBOX"}},
		{"Inbox", true, false, []string{"a b", "Entwürfe2", "INBOX"}},
		{"a b", false, true, []string{"Entwürfe2", "INBOX"}},
		{"never", false, false, []string{"Entwürfe2", "INBOX"}},
	} {
		before, _ := os.Stat(filepath.Join(root, SubscriptionsFile))
		changed, err := SetSubscribed(root, step.name, step.subscribe)
		require.NoError(t, err)
		assert.Equal(t, step.changed, changed, "%q %v", step.name, step.subscribe)
		got, err := ReadSubscriptions(root)
		require.NoError(t, err)
		assert.Equal(t, step.afterwards, got)
		_, err = os.Stat(filepath.Join(root, SubscriptionsFile+".lock"))
		assert.True(t, os.IsNotExist(err), "lock released")
		if after, _ := os.Stat(filepath.Join(root, SubscriptionsFile)); !step.changed && before != nil {
			assert.True(t, os.SameFile(before, after), "not rewritten")
		}
	}
	require.NoError(t, WriteSubscriptions(root, []string{"x"}))
	got, err := ReadSubscriptions(root)
	require.NoError(t, err)
	assert.Equal(t, []string{"x"}, got)
}

// TestSetSubscribed_Concurrent: subscriptions made at once by many
// writers (processes, here goroutines) are all kept, because each one
// reads and rewrites the file under the dotlock.
func TestSetSubscribed_Concurrent(t *testing.T) {
	root := newRoot(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := SetSubscribed(root, fmt.Sprintf("box %d", i), true)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	got, err := ReadSubscriptions(root)
	require.NoError(t, err)
	assert.Len(t, got, 8)
}

// TestReadSubscriptions_NoFile: a Maildir without the file has no
// subscriptions.
func TestReadSubscriptions_NoFile(t *testing.T) {
	got, err := ReadSubscriptions(t.TempDir())
	require.NoError(t, err)
	assert.Empty(t, got)
}
