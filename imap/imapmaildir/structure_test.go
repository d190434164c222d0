package imapmaildir_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message"
	"github.com/mailwire/mailwire/message/maildir"
)

// multipart returns a message of n text parts, the first with a
// Content-Disposition and a non-ASCII file name.
func multipart(n int) string {
	var b strings.Builder
	b.WriteString("From: Ann <ann@example.org>\nTo: bob@example.org\nSubject: =?utf-8?q?gr=C3=BC=C3=9Fe?=\nMessage-ID: <m@example.org>\n")
	b.WriteString("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=xx\n\npreamble\n")
	for i := range n {
		b.WriteString("--xx\nContent-Type: text/plain; charset=utf-8\n")
		if i == 0 {
			b.WriteString("Content-Disposition: attachment; filename*=utf-8''gr%C3%BC%C3%9Fe.txt\n")
		}
		fmt.Fprintf(&b, "Content-Transfer-Encoding: 8bit\n\npart %d\nline two\n", i)
	}
	b.WriteString("--xx--\n")
	return b.String()
}

// poisonNested is n nested multiparts, past the parser's depth limit
// (issue 11).
func poisonNested(n int) string {
	var b strings.Builder
	b.WriteString("From: a@example.org\nSubject: nested\n")
	for i := range n {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\n\ndeep text\n")
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\n", i)
	}
	return b.String()
}

// poisonParts is a multipart of n parts, past the parser's part limit.
func poisonParts(n int) string {
	var b strings.Builder
	b.WriteString("Subject: parts\nContent-Type: multipart/mixed; boundary=b\n\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "--b\n\npart %d\n", i)
	}
	b.WriteString("--b--\n")
	return b.String()
}

// goodMessage is a plain message whose subject and body hold "needle".
func goodMessage(subject string) string {
	return "From: b@example.org\nSubject: " + subject + " needle\n\nthe needle is here\n"
}

// dropNew writes messages into new/ of the INBOX as a delivery agent
// does, named as Postfix's local(8) names them (no size fields).
func dropNew(t *testing.T, dir string, msgs ...string) {
	t.Helper()
	for i, m := range msgs {
		name := fmt.Sprintf("%d.M%dP1.dropped", 1700000000+i, i)
		require.NoError(t, os.WriteFile(filepath.Join(inboxRoot(dir), "new", name), []byte(m), 0o600))
	}
}

// ensureMaildir creates the test user's INBOX, as the first open does.
func ensureMaildir(t *testing.T, dir string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(inboxRoot(dir)), 0o700))
	require.NoError(t, maildir.Create(inboxRoot(dir)))
}

// TestStructureAcrossRestart_RFC3501_7_4_2: BODYSTRUCTURE, BODY and
// ENVELOPE come from the structure the Store caches (imap.StructureMessage)
// and are the same after a restart (new Stores, which read them from
// maildir.CacheFile instead of parsing), for good messages and for ones
// over the parser's limits (issue 11), which are served truncated, not
// refused; SEARCH finds the good ones among them.
func TestStructureAcrossRestart_RFC3501_7_4_2(t *testing.T) {
	dir := t.TempDir()
	ensureMaildir(t, dir)
	msgs := []string{goodMessage("first"), multipart(3), poisonNested(1000), poisonParts(message.DefaultMaxParts + 10), goodMessage("second")}
	dropNew(t, dir, msgs...)
	opts := &imap.FetchOptions{UID: true, BodyStructure: true, Body: true, Envelope: true, RFC822Size: true}

	var first []*imap.FetchMessageBuffer
	for run := range 2 {
		ctx := testContext(t)
		// A BODYSTRUCTURE of thousands of parts is one long line.
		c := login(t, ctx, serve(t, dir), &imap.Options{MaxLine: 4 << 20})
		_, err := c.Select(ctx, imap.Inbox, nil)
		require.NoError(t, err)
		got := fetchAll(t, ctx, c, opts)
		require.Len(t, got, len(msgs))
		for i, m := range got {
			require.NotNil(t, m.BodyStructure, "message %d", i+1)
			require.NotNil(t, m.Envelope, "message %d", i+1)
		}
		assert.Len(t, got[1].BodyStructure.Children, 3)
		// ENVELOPE holds the field as it is (RFC 3501 section 7.4.2), encoded
		// words and all, as Dovecot sends it.
		assert.Equal(t, "=?utf-8?q?gr=C3=BC=C3=9Fe?=", got[1].Envelope.Subject)
		assert.Len(t, got[3].BodyStructure.Children, message.DefaultMaxParts)
		res, err := c.Search(ctx, &imap.SearchCriteria{Header: []imap.SearchHeader{{Key: "Subject", Value: "needle"}}}, nil)
		require.NoError(t, err)
		assert.Equal(t, []uint32{1, 5}, res.Nums())
		if run == 0 {
			first = got
			require.NoError(t, c.Logout(ctx))
			assert.FileExists(t, filepath.Join(inboxRoot(dir), maildir.CacheFile))
			continue
		}
		assert.Equal(t, first, got, "the same answers after a restart")
	}
}

// TestStructureDeeperThanIMAP_RFC3501_7_4_2: Stores left at the message
// package's default depth cache structures deeper than BODYSTRUCTURE may
// be; those are not served from the cache but parsed by the server to
// its own depth, so the client can read the answer.
func TestStructureDeeperThanIMAP_RFC3501_7_4_2(t *testing.T) {
	dir := t.TempDir()
	ensureMaildir(t, dir)
	dropNew(t, dir, poisonNested(1000), goodMessage("plain"))
	stores := &maildir.Stores{Path: func(string) string { return inboxRoot(dir) }}
	ctx := testContext(t)
	c := login(t, ctx, serveBackend(t, newBackend(stores), stores), &imap.Options{MaxLine: 4 << 20})
	_, err := c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	got := fetchAll(t, ctx, c, &imap.FetchOptions{UID: true, BodyStructure: true})
	require.Len(t, got, 2)
	require.NotNil(t, got[0].BodyStructure)
	assert.Equal(t, "multipart", strings.ToLower(got[0].BodyStructure.Type))
}
