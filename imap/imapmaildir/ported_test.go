package imapmaildir_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/imapstress"
	"github.com/mailwire/mailwire/message/maildir"
)

// The IMAP behaviour of a Maildir that the tests of the retired
// examples/internal/mailstore checked, ported to this package.

// ptNoRecent drops \Recent from fetched flags: the server adds it per
// session (RFC 3501 section 2.3.2), the store never has it.
func ptNoRecent(flags []imap.Flag) []imap.Flag {
	return slices.DeleteFunc(slices.Clone(flags), func(f imap.Flag) bool { return f.Equal(imap.FlagRecent) })
}

// ptFileOf returns the path of the INBOX message file under dir that
// dovecot-uidlist gives the UID uid.
func ptFileOf(t *testing.T, dir string, uid uint32) string {
	t.Helper()
	list, err := maildir.ReadUIDList(inboxRoot(dir))
	require.NoError(t, err)
	for _, r := range list.Records {
		if r.UID != uid {
			continue
		}
		for _, f := range folderFiles(t, inboxRoot(dir)) {
			if name := filepath.Base(f); name == r.Base || strings.HasPrefix(name, r.Base+":") {
				return filepath.Join(inboxRoot(dir), f)
			}
		}
	}
	t.Fatalf("no message file of UID %d", uid)
	return ""
}

// TestFlagsOnDisk_Maildir: a message a delivery agent dropped in new/
// is in cur/ with the info suffix of its flags after the first STORE
// (the Maildir "2," semantics, \Answered as R), under the same base name
// (dovecot-uidlist keys UIDs by it), and a letter another program set
// that no IMAP flag maps to (P, passed) survives a STORE that replaces
// the flags.
func TestFlagsOnDisk_Maildir(t *testing.T) {
	dir := t.TempDir()
	ensureMaildir(t, dir)
	const base = "1700000000.M0P1.dropped"
	dropNew(t, dir, goodMessage("on disk"))
	ctx := testContext(t)
	c := login(t, ctx, serve(t, dir), nil)
	_, err := c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)

	store := func(op imap.StoreFlagsOp, flags ...imap.Flag) {
		t.Helper()
		_, err := c.UIDStore(ctx, imap.SeqSetNum(1), &imap.StoreFlags{Op: op, Silent: true, Flags: flags}, nil).Collect()
		require.NoError(t, err)
	}
	store(imap.StoreFlagsAdd, imap.FlagSeen, imap.FlagFlagged)
	require.Equal(t, []string{"cur/" + base + ":2,FS"}, folderFiles(t, inboxRoot(dir)))

	cur := filepath.Join(inboxRoot(dir), "cur")
	require.NoError(t, os.Rename(filepath.Join(cur, base+":2,FS"), filepath.Join(cur, base+":2,FPS")))
	store(imap.StoreFlagsSet, imap.FlagAnswered, imap.FlagDeleted)
	assert.Equal(t, []string{"cur/" + base + ":2,PRT"}, folderFiles(t, inboxRoot(dir)))
	msgs := fetchAll(t, ctx, c, &imap.FetchOptions{UID: true, Flags: true})
	require.Len(t, msgs, 1)
	assert.ElementsMatch(t, []imap.Flag{imap.FlagAnswered, imap.FlagDeleted}, ptNoRecent(msgs[0].Flags))
}

// TestUIDsPersist_RFC3501_2_3_1_1: UIDVALIDITY, UIDs and flags survive a
// restart (new Stores), and the UID of an expunged message is never
// given again.
func TestUIDsPersist_RFC3501_2_3_1_1(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t)
	c := login(t, ctx, serve(t, dir), nil)
	for _, s := range []string{"one", "two", "three"} {
		_, err := appendMessage(t, ctx, c, imap.Inbox, s)
		require.NoError(t, err)
	}
	sel, err := c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	_, err = c.UIDStore(ctx, imap.SeqSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Collect()
	require.NoError(t, err)
	_, err = c.UIDStore(ctx, imap.SeqSetNum(3), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Collect()
	require.NoError(t, err)
	gone, err := c.Expunge(ctx)
	require.NoError(t, err)
	require.Equal(t, []uint32{2}, gone)
	require.NoError(t, c.Logout(ctx))

	c = login(t, ctx, serve(t, dir), nil)
	data, err := appendMessage(t, ctx, c, imap.Inbox, "four")
	require.NoError(t, err)
	assert.Equal(t, uint32(4), data.UID)
	again, err := c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	assert.Equal(t, sel.UIDValidity, again.UIDValidity)
	assert.Equal(t, uint32(5), again.UIDNext)
	msgs := fetchAll(t, ctx, c, &imap.FetchOptions{UID: true, Flags: true})
	assert.Equal(t, []uint32{1, 3, 4}, uidsOf(msgs))
	require.Len(t, msgs, 3)
	assert.Equal(t, []imap.Flag{imap.FlagSeen}, ptNoRecent(msgs[1].Flags))
}

// TestForeignFiles_Maildir: files other programs put in new/ and cur/
// (names without size fields, a message read elsewhere) are served with
// the flags of their names and RFC822.SIZE and BODY[] in CRLF form;
// tmp/ is never served; a file dropped in new/ while a session is IDLE
// reaches it as EXISTS (RFC 2177).
func TestForeignFiles_Maildir(t *testing.T) {
	dir := t.TempDir()
	ensureMaildir(t, dir)
	root := inboxRoot(dir)
	require.NoError(t, os.WriteFile(filepath.Join(root, "new", "1700000000.V801I42M1.mailhost"), []byte("Subject: a\n\nhi\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(root, "cur", "1700000001.V801I43M2.mailhost:2,RS"), []byte("Subject: b\n\nyo\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(root, "tmp", "1700000002.V801I44M3.mailhost"), []byte("Subject: half"), 0o600))
	ctx := testContext(t)
	w := watch(t, ctx, serve(t, dir))
	body := &imap.FetchItemBodySection{Peek: true}
	msgs := fetchAll(t, ctx, w.c, &imap.FetchOptions{UID: true, Flags: true, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{body}})
	require.Len(t, msgs, 2, "tmp is never served")
	assert.Equal(t, int64(len("Subject: a\r\n\r\nhi\r\n")), msgs[0].RFC822Size)
	assert.Empty(t, ptNoRecent(msgs[0].Flags))
	assert.ElementsMatch(t, []imap.Flag{imap.FlagAnswered, imap.FlagSeen}, ptNoRecent(msgs[1].Flags))
	require.Len(t, msgs[1].BodySection, 1)
	assert.Equal(t, "Subject: b\r\n\r\nyo\r\n", string(msgs[1].BodySection[0].Bytes))

	stop := w.idle(t, ctx)
	tmp := filepath.Join(root, "tmp", "1700000003.V801I45M4.mailhost")
	require.NoError(t, os.WriteFile(tmp, []byte("Subject: c\n\n"), 0o600))
	require.NoError(t, os.Rename(tmp, filepath.Join(root, "new", filepath.Base(tmp))))
	assert.Equal(t, uint32(3), await(t, w.exists, "EXISTS"))
	stop()
	assert.Equal(t, append(uidsOf(msgs), msgs[1].UID+1), uidsOf(fetchAll(t, ctx, w.c, &imap.FetchOptions{UID: true})))
}

// TestFolderNames_RFC3501_6_3_8: "Work/2024" is the Maildir++ folder
// ".Work.2024"; a parent that exists only through its inferiors lists
// \Noselect, as Dovecot lists it; a folder another program made is
// listed; RENAME takes the inferiors along (RFC 3501 section 6.3.5).
func TestFolderNames_RFC3501_6_3_8(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t)
	c := login(t, ctx, serve(t, dir), nil)
	root := inboxRoot(dir)
	require.NoError(t, c.Create(ctx, "Work/2024"))
	assert.True(t, maildir.Exists(filepath.Join(root, ".Work.2024")))
	require.NoError(t, maildir.Create(filepath.Join(root, ".Lists.go")))

	noSelect := func() map[string]bool {
		out := map[string]bool{}
		for name, attrs := range listed(t, ctx, c, nil) {
			out[name] = slices.Contains(attrs, imap.AttrNoSelect)
		}
		return out
	}
	assert.Equal(t, map[string]bool{"INBOX": false, "Work": true, "Work/2024": false, "Lists": true, "Lists/go": false}, noSelect())

	require.NoError(t, c.Create(ctx, "Work"))
	require.NoError(t, c.Rename(ctx, "Work", "Old"))
	assert.True(t, maildir.Exists(filepath.Join(root, ".Old.2024")))
	assert.False(t, maildir.Exists(filepath.Join(root, ".Work.2024")))
	assert.Equal(t, map[string]bool{"INBOX": false, "Old": false, "Old/2024": false, "Lists": true, "Lists/go": false}, noSelect())
	assert.Equal(t, imap.CodeAlreadyExists, statusCode(t, c.Create(ctx, "Old")))
	assert.Equal(t, imap.CodeNonExistent, statusCode(t, c.Delete(ctx, "Nowhere")))
	_, err := appendMessage(t, ctx, c, "Nowhere", "x")
	assert.Equal(t, imap.CodeTryCreate, statusCode(t, err), "RFC 3501 section 6.3.11")
}

// TestConcurrentSessions_RFC2180_4: ten clients, spread over two server
// processes on one Maildir, append, store flags and keywords, expunge,
// copy, fetch and idle at once, and every response is checked
// (internal/imapstress): no sequence number past the session's EXISTS
// (RFC 3501 sections 7.3.1 and 7.4.1), keywords announced before use
// (section 7.2.6), UIDs ascending, no SERVERBUG for files renamed or
// removed by the other sessions, only the NO replies RFC 2180 allows.
func TestConcurrentSessions_RFC2180_4(t *testing.T) {
	dir := t.TempDir()
	addrs := []string{serve(t, dir), serve(t, dir)}
	var next atomic.Int64
	rep := imapstress.Run(context.Background(), imapstress.Config{
		Dial:     func() (net.Conn, error) { return net.Dial("tcp", addrs[next.Add(1)%2]) },
		User:     testUser,
		Password: testPassword,
		Clients:  10,
		Duration: 2 * time.Second,
		Seed:     uint64(time.Now().UnixNano()),
	})
	t.Logf("%d commands, %d responses checked; operations %v; replies %v", rep.Ops, rep.Responses, rep.PerOp, rep.Replies)
	require.Zero(t, rep.NErrors, strings.Join(rep.Errors, "\n"))
	for _, name := range []string{"APPEND", "FETCH", "STORE", "EXPUNGE", "COPY", "IDLE"} {
		assert.NotZero(t, rep.PerOp[name], "no %s ran", name)
	}
}

// TestOpenAfterChange_RFC2180_4_1: a message one session listed and reads
// after another session renamed its file (a flag change), or after
// another program did, is read all the same; one another session
// expunged answers NO [EXPUNGEISSUED] (RFC 5530), which FETCH skips,
// not an internal error.
func TestOpenAfterChange_RFC2180_4_1(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t)
	stores := newStores(dir)
	t.Cleanup(func() { _ = stores.Close() })
	backend := newBackend(stores)
	u1, err := backend.Login(ctx, nil, testUser, testPassword)
	require.NoError(t, err)
	u2, err := backend.OpenUser(ctx, testUser)
	require.NoError(t, err)
	for _, s := range []string{"one", "two", "three"} {
		msg := "Subject: " + s + "\r\n\r\nbody\r\n"
		_, _, err := u1.Append(ctx, imap.Inbox, nil, time.Time{}, strings.NewReader(msg), int64(len(msg)))
		require.NoError(t, err)
	}
	mb1, view, err := u1.Open(ctx, imap.Inbox, false)
	require.NoError(t, err)
	defer mb1.Close(ctx)
	mb2, _, err := u2.Open(ctx, imap.Inbox, false)
	require.NoError(t, err)
	defer mb2.Close(ctx)
	msgs, err := mb1.Messages(ctx, view.UIDs)
	require.NoError(t, err)
	require.Len(t, msgs, 3)

	read := func(m imap.Message) (string, error) {
		r, err := m.Open(ctx)
		if err != nil {
			return "", err
		}
		defer r.Close()
		data, err := io.ReadAll(io.NewSectionReader(r, 0, m.Size()))
		return string(data), err
	}
	_, err = mb2.Store(ctx, view.UIDs[:1], imap.StoreFlagsAdd, []imap.Flag{imap.FlagSeen})
	require.NoError(t, err)
	got, err := read(msgs[0])
	require.NoError(t, err, "renamed by another session")
	assert.Equal(t, "Subject: one\r\n\r\nbody\r\n", got)

	second := ptFileOf(t, dir, view.UIDs[1])
	require.NoError(t, os.Rename(second, filepath.Join(inboxRoot(dir), "cur", maildir.ParseName(filepath.Base(second)).Base+":2,S")))
	_, err = read(msgs[1])
	require.NoError(t, err, "renamed by another program")

	_, err = mb2.Store(ctx, view.UIDs[2:], imap.StoreFlagsAdd, []imap.Flag{imap.FlagDeleted})
	require.NoError(t, err)
	gone, err := mb2.Expunge(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, view.UIDs[2:], gone)
	_, err = read(msgs[2])
	var st *imap.StatusResponse
	require.ErrorAs(t, err, &st, "expunged by another session")
	assert.Equal(t, imap.CodeExpungeIssued, st.Code)
}

// TestFetchFileRemovedOutside_RFC2180_4_1: a FETCH of messages one of
// whose files another program removed after the session listed it
// answers the others' data, no broken line and no SERVERBUG, and OK
// [EXPUNGEISSUED]; the session is then told EXPUNGE (RFC 3501 section
// 7.4.1) at a command that allows it.
func TestFetchFileRemovedOutside_RFC2180_4_1(t *testing.T) {
	dir := t.TempDir()
	ensureMaildir(t, dir)
	dropNew(t, dir, goodMessage("one"), goodMessage("two"))
	ctx := testContext(t)
	nc, err := (&net.Dialer{}).DialContext(ctx, "tcp", serve(t, dir))
	require.NoError(t, err)
	defer nc.Close()
	deadline, _ := ctx.Deadline()
	require.NoError(t, nc.SetDeadline(deadline))
	br := bufio.NewReader(nc)
	_, err = br.ReadString('\n')
	require.NoError(t, err)
	cmd := func(tag, line string) []string {
		t.Helper()
		_, err := io.WriteString(nc, tag+" "+line+"\r\n")
		require.NoError(t, err)
		var out []string
		for {
			l, err := br.ReadString('\n')
			require.NoError(t, err, "lines so far: %q", out)
			out = append(out, strings.TrimSuffix(l, "\r\n"))
			if strings.HasPrefix(l, tag+" ") {
				return out
			}
		}
	}
	cmd("l", "LOGIN "+testUser+" "+testPassword)
	cmd("s", "SELECT INBOX")
	require.NoError(t, os.Remove(ptFileOf(t, dir, 1)))

	got := cmd("f", "FETCH 1:2 (UID BODY.PEEK[])")
	assert.Equal(t, "f OK [EXPUNGEISSUED] Some messages were expunged; FETCH completed", got[len(got)-1])
	require.GreaterOrEqual(t, len(got), 3, "%q", got)
	assert.True(t, strings.HasPrefix(got[0], "* 2 FETCH (UID 2 BODY[] {"), got[0])
	assert.Equal(t, ")", got[len(got)-2])
	for {
		// The Store notices the removal at the FETCH or at its next poll
		// of the disk; NOOP reports it once it has.
		got = cmd("n", "NOOP")
		if len(got) > 1 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	assert.Equal(t, []string{"* 1 EXPUNGE", "n OK NOOP completed"}, got)
}
