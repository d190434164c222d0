package maildir

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkOneUIDPerFile checks dovecot-uidlist against the folder: every
// file listed once, no UID twice, and returns the UIDs of the files.
func checkOneUIDPerFile(t *testing.T, root string) map[uint32]bool {
	t.Helper()
	l, err := ReadUIDList(root)
	require.NoError(t, err)
	byBase := map[string]uint32{}
	uids := map[uint32]bool{}
	for _, r := range l.Records {
		_, dup := byBase[r.Base]
		assert.False(t, dup, "base %s listed twice", r.Base)
		assert.False(t, uids[r.UID], "UID %d given twice", r.UID)
		byBase[r.Base], uids[r.UID] = r.UID, true
	}
	files, err := scanFiles(root)
	require.NoError(t, err)
	present := map[uint32]bool{}
	for _, f := range files {
		uid, ok := byBase[f.Base]
		assert.True(t, ok, "file %s has no UID", f.Base)
		present[uid] = true
	}
	return present
}

// TestTwoStoresOneRoot: two Stores on one Maildir (as two processes)
// appending from many goroutines never give one UID twice; a flag
// change through one reaches the other's Watcher by a poll; both agree
// on UIDs, flags and mod-sequences.
func TestTwoStoresOneRoot(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	stores := []*Store{openTestStore(t, root), openTestStore(t, root)}
	boxes := []*Mailbox{testMailbox(t, stores[0], "INBOX"), testMailbox(t, stores[1], "INBOX")}
	const perGoroutine, goroutines = 10, 4
	var wg sync.WaitGroup
	got := make(chan uint32, 2*goroutines*perGoroutine)
	for _, m := range boxes {
		for range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range perGoroutine {
					_, uid, err := m.Append(ctx, strings.NewReader(testMsg), nil, time.Time{})
					if !assert.NoError(t, err) {
						return
					}
					got <- uid
				}
			}()
		}
	}
	wg.Wait()
	close(got)
	seen := map[uint32]bool{}
	for uid := range got {
		assert.False(t, seen[uid], "UID %d acknowledged twice", uid)
		seen[uid] = true
	}
	assert.Len(t, seen, 2*goroutines*perGoroutine)
	assert.Equal(t, seen, checkOneUIDPerFile(t, root))

	w := boxes[1].Watch()
	defer w.Close()
	_, _, err := boxes[0].SetFlags(ctx, nil, []uint32{1}, FlagsAdd, []string{`\Flagged`}, 0)
	require.NoError(t, err)
	for c := w.Changes(); ; c = w.Changes() {
		if len(c) > 0 {
			assert.Equal(t, Changed, c[0].Kind)
			assert.Equal(t, uint32(1), c[0].UID)
			assert.Equal(t, []string{`\Flagged`}, c[0].Flags)
			break
		}
		<-w.Notify()
	}
	a, err := boxes[0].Messages(ctx)
	require.NoError(t, err)
	b, err := boxes[1].Messages(ctx)
	require.NoError(t, err)
	assert.Equal(t, a, b)
}

// The child process of TestSecondProcess: it appends to the Maildir
// named by MAILWIRE_MAILDIR_CHILD and prints each UID it got.
func TestHelperAppender(t *testing.T) {
	root := os.Getenv("MAILWIRE_MAILDIR_CHILD")
	if root == "" {
		return // run as a child only
	}
	n, _ := strconv.Atoi(os.Getenv("MAILWIRE_MAILDIR_COUNT"))
	s, err := OpenStore(root, nil)
	require.NoError(t, err)
	m, err := s.Mailbox(context.Background(), "INBOX")
	require.NoError(t, err)
	for range n {
		_, uid, err := m.Append(context.Background(), strings.NewReader(testMsg), nil, time.Time{})
		require.NoError(t, err)
		fmt.Printf("uid %d\n", uid)
	}
	s.Close()
}

// startAppender runs this test binary as a second process appending n
// messages; the UIDs it acknowledges arrive on the channel.
func startAppender(t *testing.T, root string, n int) (*exec.Cmd, <-chan uint32) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAppender$", "-test.count=1")
	cmd.Env = append(os.Environ(), "MAILWIRE_MAILDIR_CHILD="+root, "MAILWIRE_MAILDIR_COUNT="+strconv.Itoa(n))
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	uids := make(chan uint32, n)
	go func() {
		defer close(uids)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "uid "); ok {
				uid, _ := strconv.ParseUint(v, 10, 32)
				uids <- uint32(uid)
			}
		}
	}()
	return cmd, uids
}

// TestSecondProcess: a second process appends N messages while this one
// appends N: 2N messages with 2N distinct UIDs, seen alike by both.
func TestSecondProcess(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s := openTestStore(t, root)
	m := testMailbox(t, s, "INBOX")
	const n = 30
	cmd, childUIDs := startAppender(t, root, n)
	mine := map[uint32]bool{}
	for range n {
		mine[appendTest(t, m)] = true
	}
	for uid := range childUIDs {
		assert.False(t, mine[uid], "UID %d given to both processes", uid)
		mine[uid] = true
	}
	require.NoError(t, cmd.Wait())
	assert.Len(t, mine, 2*n)
	msgs, err := m.Messages(ctx)
	require.NoError(t, err)
	assert.Len(t, msgs, 2*n)
	assert.Equal(t, mine, checkOneUIDPerFile(t, root))
	fresh := openTestStore(t, root)
	again, err := testMailbox(t, fresh, "INBOX").Messages(ctx)
	require.NoError(t, err)
	assert.Equal(t, msgs, again)
}

// TestSecondProcessKilled: a writer killed with SIGKILL mid-run leaves
// no UID twice, every message it acknowledged present once, and no
// dotlock that blocks (Dovecot's stale check: same host, dead pid).
func TestSecondProcessKilled(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s := openTestStore(t, root)
	m := testMailbox(t, s, "INBOX")
	cmd, childUIDs := startAppender(t, root, 100000)
	acked := map[uint32]bool{}
	for uid := range childUIDs {
		acked[uid] = true
		appendTest(t, m)
		if len(acked) == 20 {
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		}
	}
	cmd.Wait()
	appendTest(t, m) // Lock gives up with ErrLockTimeout if the dead writer's lock blocked
	present := checkOneUIDPerFile(t, root)
	for uid := range acked {
		assert.True(t, present[uid], "acknowledged UID %d lost", uid)
	}
	msgs, err := m.Messages(ctx)
	require.NoError(t, err)
	assert.Len(t, msgs, len(present))
}

// TestCopyWhileRenamedRFC2180Section4_1: a Copy through one Store of a
// message whose file the other Store renames again and again (flag
// changes) copies it every time, never failing on the vanished name.
func TestCopyWhileRenamedRFC2180Section4_1(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s1, s2 := openTestStore(t, root), openTestStore(t, root)
	require.NoError(t, s1.CreateFolder(ctx, "Copies", ""))
	flagger, copier := testMailbox(t, s1, "INBOX"), testMailbox(t, s2, "INBOX")
	dest := testMailbox(t, s2, "Copies")
	uid := appendTest(t, flagger)
	const rounds = 200
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range rounds {
			op := FlagsAdd
			if i%2 == 1 {
				op = FlagsRemove
			}
			_, _, err := flagger.SetFlags(ctx, nil, []uint32{uid}, op, []string{`\Flagged`}, 0)
			assert.NoError(t, err)
		}
	}()
	for range rounds {
		_, uids, err := copier.Copy(ctx, []uint32{uid}, dest)
		require.NoError(t, err)
		assert.Len(t, uids, 1)
	}
	wg.Wait()
}

// The child process of TestMaildropLockOfKilledHolder: it takes the
// POP3 lock of MAILWIRE_MAILDIR_LOCKER, says so and waits to be killed.
func TestHelperLocker(t *testing.T) {
	root := os.Getenv("MAILWIRE_MAILDIR_LOCKER")
	if root == "" {
		return // run as a child only
	}
	s, err := OpenStore(root, nil)
	require.NoError(t, err)
	_, err = s.LockMaildrop(context.Background())
	require.NoError(t, err)
	fmt.Println("locked")
	select {}
}

// TestMaildropLockOfKilledHolderRFC1939Section8: while a live process
// holds the maildrop lock another session gets ErrInUse; once it is
// killed, its lock (same host, dead pid) is taken over.
func TestMaildropLockOfKilledHolderRFC1939Section8(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s := openTestStore(t, root)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLocker$", "-test.count=1")
	cmd.Env = append(os.Environ(), "MAILWIRE_MAILDIR_LOCKER="+root)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "locked\n", line)
	_, err = s.LockMaildrop(ctx)
	assert.ErrorIs(t, err, ErrInUse)
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	cmd.Wait()
	unlock, err := s.LockMaildrop(ctx)
	require.NoError(t, err)
	require.NoError(t, unlock())
}

// TestStoresShareOneStore: Stores opens each user's Store once, so the
// IMAP and POP3 adapters given the same Stores share it; Close closes
// them all.
func TestStoresShareOneStore(t *testing.T) {
	dir := t.TempDir()
	st := &Stores{Path: func(user string) string { return dir + "/" + user + "/Maildir" }}
	a1, err := st.Open("alice")
	require.NoError(t, err)
	a2, err := st.Open("alice")
	require.NoError(t, err)
	b, err := st.Open("bob")
	require.NoError(t, err)
	assert.Same(t, a1, a2)
	assert.NotSame(t, a1, b)
	assert.Equal(t, dir+"/bob/Maildir", b.Root())
	require.NoError(t, st.Close())
	_, err = a1.Mailbox(context.Background(), "INBOX")
	assert.ErrorIs(t, err, ErrClosed)
	_, err = st.Open("alice")
	assert.ErrorIs(t, err, ErrClosed)
}
