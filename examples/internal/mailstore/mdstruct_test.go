package mailstore

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message"
)

// The poison messages of issue 11, built here and never stored in the
// repository; LF line ends, as Maildir files have them.

func poisonNested(n int) string {
	var b strings.Builder
	b.WriteString("From: a@example.org\nSubject: nested\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\n\ndeep text\n")
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\n", i)
	}
	return b.String()
}

func poisonParts(n int) string {
	var b strings.Builder
	b.WriteString("Subject: parts\nContent-Type: multipart/mixed; boundary=b\n\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "--b\n\npart %d\n", i)
	}
	b.WriteString("--b--\n")
	return b.String()
}

func poisonFields(n int) string {
	var b strings.Builder
	b.WriteString("Subject: first\n")
	for i := 2; i < n; i++ {
		fmt.Fprintf(&b, "X-F: %d\n", i)
	}
	b.WriteString("Subject: last needle\n\nbody\n")
	return b.String()
}

func goodMessage(subject string) string {
	return "From: b@example.org\nSubject: " + subject + " needle\n\nthe needle is here\n"
}

// TestMaildirPoisonMessages_Issue11: message files over the parsing limits
// that another program dropped into new/ next to good ones are served:
// FETCH 1:* (FLAGS BODYSTRUCTURE) and ENVELOPE answer OK with a structure
// for every message, SEARCH SUBJECT and BODY find the good ones, and each
// structure is parsed once however many commands need it.
func TestMaildirPoisonMessages_Issue11(t *testing.T) {
	root := t.TempDir()
	s := openMaildir(t, root)
	msgs := []string{goodMessage("first"), poisonNested(65), poisonNested(1000), poisonParts(10001), poisonFields(100000), goodMessage("second")}
	for i, m := range msgs {
		name := fmt.Sprintf("%d.M%dP1.dropped", 1700000000+i, i)
		require.NoError(t, os.WriteFile(filepath.Join(inboxDir(root), "new", name), []byte(m), 0o600))
	}
	srv := &imap.Server{Backend: s.IMAP(), AllowInsecureAuth: true}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	// A BODYSTRUCTURE of 10,000 parts is one line of some 700 KB.
	c, err := imap.Dial(ctx, l.Addr().String(), &imap.Options{MaxLine: 4 << 20})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Login(ctx, "alice", "secret"))
	_, err = c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)

	for round := 0; round < 2; round++ {
		got, err := c.Fetch(ctx, imap.SeqSetRange(1, 0), &imap.FetchOptions{Flags: true, BodyStructure: true, Envelope: true}).Collect()
		require.NoError(t, err)
		require.Len(t, got, len(msgs))
		for i, m := range got {
			require.NotNil(t, m.BodyStructure, "message %d", i+1)
			require.NotNil(t, m.Envelope, "message %d", i+1)
		}
		assert.Len(t, got[3].BodyStructure.Children, message.DefaultMaxParts)
		assert.Equal(t, "first", got[4].Envelope.Subject)
		for _, crit := range []*imap.SearchCriteria{
			{Header: []imap.SearchHeader{{Key: "Subject", Value: "needle"}}},
			{Body: []string{"needle"}},
		} {
			res, err := c.Search(ctx, crit, nil)
			require.NoError(t, err)
			assert.Equal(t, []uint32{1, 6}, res.Nums(), "%+v", crit)
		}
	}
	assert.Equal(t, int64(len(msgs)), s.structs.parses.Load(), "one parse per message")
}

// TestStructCache_Bounded: the cache never holds more than
// maxCachedStructures entries, and a failed parse is not kept.
func TestStructCache_Bounded(t *testing.T) {
	var c structCache
	st := &message.Structure{}
	for i := 0; i < maxCachedStructures+10; i++ {
		require.Same(t, st, c.get(fmt.Sprint(i), func() (*message.Structure, error) { return st, nil }))
	}
	assert.Len(t, c.entries, maxCachedStructures)
	assert.Nil(t, c.get("gone", func() (*message.Structure, error) { return nil, os.ErrNotExist }))
	assert.NotContains(t, c.entries, "gone")
}
