package mailstore

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
)

// pathOf returns where the index has alice's INBOX message uid.
func pathOf(s *Maildir, uid uint32) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.folders[folderKey{"alice", imap.Inbox}].find(uid).path
}

// readAll reads a message as the server would.
func readAll(t *testing.T, m imap.Message) (string, error) {
	r, err := m.Open(context.Background())
	if err != nil {
		return "", err
	}
	defer r.Close()
	data, err := io.ReadAll(io.NewSectionReader(r, 0, m.Size()))
	require.NoError(t, err)
	return string(data), nil
}

// TestOpenAfterChange_RFC2180_4_1: a message listed by one session and
// read after another session renamed its file (a flag change) or after
// another program renamed it is read all the same; one whose file
// another session removed (EXPUNGE) is NO [EXPUNGEISSUED] (RFC 5530),
// which FETCH skips, not an internal error.
func TestOpenAfterChange_RFC2180_4_1(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s := openMaildir(t, root)
	deliver(t, s, "alice", 3)
	mb1, view := openInbox(t, s)
	mb2, _ := openInbox(t, s)
	msgs, err := mb1.Messages(ctx, view.UIDs)
	require.NoError(t, err)

	_, err = mb2.Store(ctx, view.UIDs[:1], imap.StoreFlagsAdd, []imap.Flag{imap.FlagSeen})
	require.NoError(t, err)
	got, err := readAll(t, msgs[0])
	require.NoError(t, err, "renamed by another session")
	require.Contains(t, got, "\r\n\r\n")

	dir := inboxDir(root)
	second := pathOf(s, view.UIDs[1])
	require.NoError(t, os.Rename(second, filepath.Join(dir, "cur", filepath.Base(second)+":2,S")))
	_, err = readAll(t, msgs[1])
	require.NoError(t, err, "renamed by another program")

	_, err = mb2.Store(ctx, view.UIDs[2:], imap.StoreFlagsAdd, []imap.Flag{imap.FlagDeleted})
	require.NoError(t, err)
	gone, err := mb2.Expunge(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, view.UIDs[2:], gone)
	_, err = readAll(t, msgs[2])
	var st *imap.StatusResponse
	require.ErrorAs(t, err, &st, "expunged by another session")
	require.Equal(t, imap.CodeExpungeIssued, st.Code)
}

// TestFetchFileRemovedOutside_RFC2180_4_1: a FETCH of a message whose
// file another program removed after the session listed it answers the
// others' data, no broken line and no SERVERBUG, and OK [EXPUNGEISSUED];
// the next NOOP tells the EXPUNGE (RFC 3501 section 7.4.1).
func TestFetchFileRemovedOutside_RFC2180_4_1(t *testing.T) {
	root := t.TempDir()
	s := openMaildir(t, root)
	deliver(t, s, "alice", 2)
	addr := serveIMAP(t, s)
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(nc)
	cmd := func(tag, line string) []string {
		_, err := nc.Write([]byte(tag + " " + line + "\r\n"))
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
	cmd("l", "LOGIN alice secret")
	cmd("s", "SELECT INBOX")
	require.NoError(t, os.Remove(pathOf(s, 1)))

	got := cmd("f", "FETCH 1:2 (UID BODY.PEEK[])")
	require.Equal(t, "f OK [EXPUNGEISSUED] Some messages were expunged; FETCH completed", got[len(got)-1])
	require.True(t, strings.HasPrefix(got[0], "* 2 FETCH (UID 2 BODY[] {"), got[0])
	require.Equal(t, ")", got[len(got)-2])
	got = cmd("n", "NOOP")
	require.Equal(t, []string{"* 1 EXPUNGE", "n OK NOOP completed"}, got)
}
