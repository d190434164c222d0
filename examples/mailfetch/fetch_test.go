package main

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fetchOnce(t *testing.T, addr, dir string, del bool) (summary, error) {
	t.Helper()
	f := fetcher{dir: dir, delete: del}
	return f.run(testCtx(t), pop3Options{addr: addr, user: "alice", pass: "secret"})
}

// stateIDs returns the ids in the state file, in order.
func stateIDs(t *testing.T, dir string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); !strings.HasPrefix(line, "#") {
			id, _, _ := strings.Cut(line, " ")
			ids = append(ids, id)
		}
	}
	return ids
}

// RFC 1939 section 7 (UIDL): the first run stores every message as it was
// delivered (with LF line ends), the second finds them all present, and a
// new delivery is the only message the third run fetches. Nothing is
// deleted without -delete.
func TestFetchOnlyNewMail_RFC1939_7(t *testing.T) {
	msgs := testMessages()
	s := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret", msgs...))
	dir := filepath.Join(t.TempDir(), "Maildir") // created by the run

	sum, err := fetchOnce(t, s.Addr, dir, false)
	require.NoError(t, err)
	assert.Equal(t, summary{fetched: 5}, sum)
	assert.ElementsMatch(t, storedAll(msgs), files(t, dir, "new"))
	assert.ElementsMatch(t, storedAll(s.Messages("alice")), files(t, dir, "new"))
	assert.Empty(t, files(t, dir, "tmp"))
	assert.Empty(t, files(t, dir, "cur"))
	assert.Equal(t, s.UIDs("alice"), stateIDs(t, dir))

	sum, err = fetchOnce(t, s.Addr, dir, false)
	require.NoError(t, err)
	assert.Equal(t, summary{present: 5}, sum)
	assert.Len(t, files(t, dir, "new"), 5)

	late := []byte("Subject: late\r\n\r\narrived between runs\r\n")
	_, err = s.Deliver("alice", late)
	require.NoError(t, err)
	sum, err = fetchOnce(t, s.Addr, dir, false)
	require.NoError(t, err)
	assert.Equal(t, summary{fetched: 1, present: 5}, sum)
	assert.ElementsMatch(t, storedAll(append(msgs, late)), files(t, dir, "new"))
	assert.Equal(t, s.UIDs("alice"), stateIDs(t, dir))

	assert.Empty(t, s.Deleted("alice"))
	assert.Len(t, s.Messages("alice"), 6)
	assert.Equal(t, "fetched 1 new messages, 5 already present, 0 deleted", sum.String())
}

// RFC 1939 section 6: with -delete the stored messages are marked with
// DELE and removed in UPDATE after QUIT: those fetched now and those an
// earlier run stored, and no other.
func TestDeleteStored_RFC1939_6(t *testing.T) {
	msgs := testMessages()[:3]
	s := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret", msgs...))
	dir := t.TempDir()

	sum, err := fetchOnce(t, s.Addr, dir, false)
	require.NoError(t, err)
	assert.Equal(t, summary{fetched: 3}, sum)
	old := s.UIDs("alice")

	late := []byte("Subject: late\r\n\r\nx\r\n")
	uid, err := s.Deliver("alice", late)
	require.NoError(t, err)
	sum, err = fetchOnce(t, s.Addr, dir, true)
	require.NoError(t, err)
	assert.Equal(t, summary{fetched: 1, present: 3, deleted: 4}, sum)
	require.NoError(t, s.WaitIdle(testCtx(t)))
	assert.Equal(t, append(old, uid), s.Deleted("alice"))
	assert.Empty(t, s.Messages("alice"))
	assert.ElementsMatch(t, storedAll(append(msgs, late)), files(t, dir, "new"))
	assert.Equal(t, append(old, uid), stateIDs(t, dir))

	sum, err = fetchOnce(t, s.Addr, dir, true)
	require.NoError(t, err)
	assert.Equal(t, summary{}, sum)
	assert.Empty(t, stateIDs(t, dir), "the ids of removed messages are pruned by the next run")
}

// RFC 1939 section 6: when the server cannot remove the messages, QUIT
// answers -ERR and they stay; they are stored and recorded, so the next
// run does not fetch them again but deletes them.
func TestQuitFailsThenNextRunDeletes_RFC1939_6(t *testing.T) {
	msgs := testMessages()[:2]
	s := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret", msgs...))
	dir := t.TempDir()
	s.FailDelete(pop3.ErrResponse(pop3.CodeSysTemp, "disk trouble"))

	sum, err := fetchOnce(t, s.Addr, dir, true)
	var r *pop3.Response
	require.ErrorAs(t, err, &r)
	assert.Equal(t, pop3.CodeSysTemp, r.Code)
	assert.Equal(t, summary{fetched: 2}, sum)
	require.NoError(t, s.WaitIdle(testCtx(t)))
	assert.Len(t, s.Messages("alice"), 2)
	assert.Equal(t, s.UIDs("alice"), stateIDs(t, dir))

	s.FailDelete(nil)
	sum, err = fetchOnce(t, s.Addr, dir, true)
	require.NoError(t, err)
	assert.Equal(t, summary{present: 2, deleted: 2}, sum)
	require.NoError(t, s.WaitIdle(testCtx(t)))
	assert.Empty(t, s.Messages("alice"))
	assert.ElementsMatch(t, storedAll(msgs), files(t, dir, "new"))
}

// A connection that breaks in the middle of a message leaves no part of it
// in new/ or tmp/, does not record its id and deletes nothing, even with
// -delete (the session never reaches QUIT, RFC 1939 section 6). The
// message before it is recorded all the same, even when the state is not
// due to be saved yet. The next run fetches the broken one and what
// followed it.
func TestServerDiesMidMessage(t *testing.T) {
	msgs := [][]byte{
		[]byte("Subject: one\r\n\r\nfirst\r\n"),
		[]byte("Subject: two\r\n\r\nfirst half\r\nCUT-HERE\r\nsecond half\r\n"),
		[]byte("Subject: three\r\n\r\nthird\r\n"),
	}
	s := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret", msgs...))
	dir := t.TempDir()
	proxy := cutProxy(t, s.Addr, []byte("CUT-HERE"))

	f := fetcher{dir: dir, delete: true, saveEvery: time.Hour}
	sum, err := f.run(testCtx(t), pop3Options{addr: proxy, user: "alice", pass: "secret"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "m2")
	assert.Equal(t, summary{fetched: 1}, sum)
	assert.Equal(t, []string{asStored(msgs[0])}, files(t, dir, "new"))
	assert.Empty(t, files(t, dir, "tmp"))
	assert.Equal(t, []string{"m1"}, stateIDs(t, dir))
	require.NoError(t, s.WaitIdle(testCtx(t)))
	assert.Empty(t, s.Deleted("alice"))
	assert.Len(t, s.Messages("alice"), 3)

	sum, err = fetchOnce(t, s.Addr, dir, false)
	require.NoError(t, err)
	assert.Equal(t, summary{fetched: 2, present: 1}, sum)
	assert.ElementsMatch(t, storedAll(msgs), files(t, dir, "new"))
	assert.Equal(t, []string{"m1", "m2", "m3"}, stateIDs(t, dir))
}

// A -ERR to RETR stops the run: nothing of that message is stored or
// recorded, and nothing is deleted.
func TestRetrRefused_RFC1939_5(t *testing.T) {
	s := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret", testMessages()[:2]...))
	dir := t.TempDir()
	s.FailCommand(pop3.VerbRETR, pop3.ErrResponse(pop3.CodeSysTemp, "try later"))

	sum, err := fetchOnce(t, s.Addr, dir, true)
	var r *pop3.Response
	require.ErrorAs(t, err, &r)
	assert.Equal(t, "try later", r.Text)
	assert.Equal(t, summary{}, sum)
	assert.Empty(t, files(t, dir, "new"))
	assert.Empty(t, files(t, dir, "tmp"))
	assert.Empty(t, stateIDs(t, dir))
	require.NoError(t, s.WaitIdle(testCtx(t)))
	assert.Empty(t, s.Deleted("alice"))
}

// A server without UIDL cannot tell old mail from new: mailfetch stops
// before fetching anything (RFC 1939 section 7 makes UIDL optional).
func TestNoUIDL_RFC1939_7(t *testing.T) {
	s := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret", testMessages()[:1]...))
	s.FailCommand(pop3.VerbUIDL, pop3.ErrResponse("", "unsupported"))
	dir := t.TempDir()
	_, err := fetchOnce(t, s.Addr, dir, false)
	require.ErrorContains(t, err, "UIDL")
	assert.Empty(t, files(t, dir, "new"))
}

// A wrong password fails the run before anything is touched but the
// folder's creation.
func TestWrongPassword_RFC1939_7(t *testing.T) {
	s := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "other", testMessages()[:1]...))
	dir := t.TempDir()
	_, err := fetchOnce(t, s.Addr, dir, false)
	var r *pop3.Response
	require.ErrorAs(t, err, &r)
	assert.False(t, r.OK)
	assert.Empty(t, files(t, dir, "new"))
	assert.Empty(t, stateIDs(t, dir))
}

// Two accounts can share one folder: the state keeps their ids apart, even
// when the servers hand out the same ids.
func TestTwoAccountsOneFolder(t *testing.T) {
	a := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret", testMessages()[:2]...))
	b := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithUser("bob", "pw", testMessages()[2:3]...))
	dir := t.TempDir()
	f := fetcher{dir: dir}
	sum, err := f.run(testCtx(t), pop3Options{addr: a.Addr, user: "alice", pass: "secret"})
	require.NoError(t, err)
	assert.Equal(t, summary{fetched: 2}, sum)
	sum, err = f.run(testCtx(t), pop3Options{addr: b.Addr, user: "bob", pass: "pw"})
	require.NoError(t, err)
	assert.Equal(t, summary{fetched: 1}, sum, "bob's m1 is not alice's m1")
	sum, err = f.run(testCtx(t), pop3Options{addr: a.Addr, user: "alice", pass: "secret"})
	require.NoError(t, err)
	assert.Equal(t, summary{present: 2}, sum, "bob's run pruned nothing of alice's")
	assert.Len(t, files(t, dir, "new"), 3)
}
