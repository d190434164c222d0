package main

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// imapServer starts a test server where alice's INBOX holds msgs, the
// first one \Seen and \Flagged.
func imapServer(t *testing.T, msgs [][]byte, opts ...imaptest.Option) *imaptest.Server {
	t.Helper()
	all := []imaptest.Option{imaptest.WithUser("alice", "secret")}
	for i, m := range msgs {
		var flags []imap.Flag
		if i == 0 {
			flags = []imap.Flag{imap.FlagSeen, imap.FlagFlagged}
		}
		all = append(all, imaptest.WithMessage("alice", "INBOX", m, flags...))
	}
	return imaptest.NewServer(t, append(append(all, opts...), imaptest.WithInsecureAuth())...)
}

// imapArgs is the command line for alice's account at addr.
func imapArgs(addr, dir string, more ...string) []string {
	return append([]string{"-imap", addr, "-user", "alice", "-pass", "secret", "-dir", dir}, more...)
}

// serverStored is what the server holds in a mailbox, as mailfetch
// stores it: with LF line ends.
func serverStored(t *testing.T, s *imaptest.Server, mailbox string) []string {
	t.Helper()
	msgs, err := s.Messages("alice", mailbox)
	require.NoError(t, err)
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = strings.ReplaceAll(string(m.Data), "\r\n", "\n")
	}
	return out
}

// stored returns the contents of the messages in dir's new/ and cur/.
func stored(t *testing.T, dir string) []string {
	t.Helper()
	return append(files(t, dir, "new"), files(t, dir, "cur")...)
}

// RFC 3501 sections 6.3.2 and 6.4.5: the first run copies every message
// byte for byte (LF line ends) through EXAMINE and BODY.PEEK[], so no flag
// changes on the server; the second fetches nothing; a new delivery is
// the only message the third fetches. Progress is "UIDVALIDITY.UID". The
// message that is \Seen and \Flagged lands in cur/ with the info ":2,FS",
// the others in new/.
func TestIMAPFetch_RFC3501_6_4_5(t *testing.T) {
	msgs := testMessages()
	s := imapServer(t, msgs)
	dir := t.TempDir()

	code, stdout, stderr := runCmd(imapArgs(s.Addr, dir)...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 5 new messages, 0 already present, 0 deleted\n", stdout)
	assert.ElementsMatch(t, serverStored(t, s, "INBOX"), stored(t, dir))
	assert.ElementsMatch(t, storedAll(msgs), stored(t, dir))
	assert.Empty(t, files(t, dir, "tmp"))
	assert.Len(t, files(t, dir, "new"), 4)
	assert.Equal(t, []string{asStored(msgs[0])}, files(t, dir, "cur"))
	cur, err := os.ReadDir(filepath.Join(dir, "cur"))
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(cur[0].Name(), ":2,FS"), cur[0].Name())
	held, err := s.Messages("alice", "INBOX")
	require.NoError(t, err)
	assert.Equal(t, []imap.Flag{imap.FlagSeen, imap.FlagFlagged}, held[0].Flags)
	for _, m := range held[1:] {
		assert.NotContains(t, m.Flags, imap.FlagSeen)
	}
	ids := stateIDs(t, dir)
	require.Len(t, ids, 5)
	validity, _, _ := strings.Cut(ids[0], ".")
	for i, m := range held {
		assert.Equal(t, fmt.Sprintf("%s.%d", validity, m.UID), ids[i])
	}

	code, stdout, stderr = runCmd(imapArgs(s.Addr, dir)...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 0 new messages, 5 already present, 0 deleted\n", stdout)

	late := []byte("Subject: late\r\n\r\narrived after the first run\r\n")
	uid, err := s.Deliver("alice", "INBOX", late)
	require.NoError(t, err)
	code, stdout, stderr = runCmd(imapArgs(s.Addr, dir)...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 1 new messages, 5 already present, 0 deleted\n", stdout)
	assert.ElementsMatch(t, append(storedAll(msgs), asStored(late)), stored(t, dir))
	assert.Equal(t, fmt.Sprintf("%s.%d", validity, uid), stateIDs(t, dir)[5])
}

// RFC 3501 section 2.3.1.1: when a mailbox comes back with another
// UIDVALIDITY, the stored UIDs mean nothing; mailfetch says so, forgets
// them and fetches the whole mailbox again.
func TestIMAPUIDValidityChanged_RFC3501_2_3_1_1(t *testing.T) {
	old := []byte("Subject: old\r\n\r\nbefore\r\n")
	s := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithUser("alice", "secret"),
		imaptest.WithMailbox("alice", "Work", ""), imaptest.WithMessage("alice", "Work", old))
	dir := t.TempDir()
	code, stdout, stderr := runCmd(imapArgs(s.Addr, dir, "-mailbox", "Work")...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 1 new messages, 0 already present, 0 deleted\n", stdout)
	before := stateIDs(t, dir)

	// Recreating the mailbox gives it a new UIDVALIDITY; its first
	// message has UID 1 again, the UID the old message had.
	ctx := testCtx(t)
	c, err := imap.Dial(ctx, s.Addr, nil)
	require.NoError(t, err)
	require.NoError(t, c.Login(ctx, "alice", "secret"))
	require.NoError(t, c.Delete(ctx, "Work"))
	require.NoError(t, c.Create(ctx, "Work"))
	require.NoError(t, c.Logout(ctx))
	renewed := []byte("Subject: new\r\n\r\nafter\r\n")
	_, err = s.Deliver("alice", "Work", renewed)
	require.NoError(t, err)

	code, stdout, stderr = runCmd(imapArgs(s.Addr, dir, "-mailbox", "Work")...)
	require.Equal(t, 0, code, stderr)
	after := stateIDs(t, dir)
	require.Len(t, after, 1)
	oldV, _, _ := strings.Cut(before[0], ".")
	newV, _, _ := strings.Cut(after[0], ".")
	assert.NotEqual(t, oldV, newV)
	assert.Equal(t, newV+".1", after[0])
	assert.Equal(t, "Work: UIDVALIDITY changed from "+oldV+" to "+newV+", fetching the whole mailbox again\n"+
		"fetched 1 new messages, 0 already present, 0 deleted\n", stdout)
	assert.ElementsMatch(t, []string{asStored(old), asStored(renewed)}, stored(t, dir))
}

// RFC 3501 section 6.3.10: -list prints each mailbox with its STATUS
// counts; the values are those a STATUS of our own reports.
func TestIMAPList_RFC3501_6_3_10(t *testing.T) {
	s := imapServer(t, testMessages()[:3],
		imaptest.WithMailbox("alice", "Archive", imap.AttrArchive),
		imaptest.WithMailbox("alice", "Archive/2024", ""))
	ctx := testCtx(t)
	c, err := imap.Dial(ctx, s.Addr, nil)
	require.NoError(t, err)
	require.NoError(t, c.Login(ctx, "alice", "secret"))
	want := "MESSAGES UNSEEN UIDNEXT UIDVALIDITY  MAILBOX\n"
	for _, name := range []string{"INBOX", "Archive", "Archive/2024"} {
		st, err := c.Status(ctx, name, &listStatus)
		require.NoError(t, err)
		want += fmt.Sprintf("%8d %6d %7d %11d  %s\n", *st.NumMessages, *st.NumUnseen, st.UIDNext, st.UIDValidity, name)
	}
	require.NoError(t, c.Logout(ctx))

	code, stdout, stderr := runCmd("-imap", s.Addr, "-user", "alice", "-pass", "secret", "-list")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, want, "       3      2       4 ")
	got := strings.SplitAfter(stdout, "\n")
	assert.Equal(t, "MESSAGES UNSEEN UIDNEXT UIDVALIDITY  MAILBOX\n", got[0])
	assert.ElementsMatch(t, strings.SplitAfter(want, "\n"), got)
}

// RFC 3501 section 6.2.1: -starttls upgrades before LOGIN and trusts the
// -cafile certificate; a certificate it does not vouch for stops the run
// before the password is sent.
func TestIMAPStartTLS_RFC3501_6_2_1(t *testing.T) {
	msgs := testMessages()[:2]
	s := imapServer(t, msgs, imaptest.WithTLS())
	ca := writeCA(t, s.CertificatePEM())
	dir := t.TempDir()

	other, err := testcert.New("127.0.0.1")
	require.NoError(t, err)
	code, stdout, stderr := runCmd(imapArgs(s.Addr, dir, "-starttls", "-cafile", writeCA(t, other.CertPEM))...)
	assert.Equal(t, 1, code)
	assert.Equal(t, "fetched 0 new messages, 0 already present, 0 deleted\n", stdout)
	assert.Contains(t, stderr, "certificate")

	code, stdout, stderr = runCmd(imapArgs(s.Addr, dir, "-starttls", "-cafile", ca, "-debug")...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 2 new messages, 0 already present, 0 deleted\n", stdout)
	assert.Contains(t, stderr, " STARTTLS\n")
	assert.Contains(t, stderr, " UID FETCH 2 (UID FLAGS BODY.PEEK[])\n")
	assert.Regexp(t, `(?m)^S: \[\d+ octets\]$`, stderr, "the message as a count")
	assert.NotContains(t, stderr, "secret")
	assert.ElementsMatch(t, storedAll(msgs), stored(t, dir))

	code, stdout, stderr = runCmd("-imap", s.Addr, "-user", "alice", "-pass", "secret", "-list",
		"-starttls", "-cafile", ca)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "INBOX\n")
}

// Without TLS the password goes only to a loopback address: for another
// host the run stops before connecting.
func TestIMAPCleartextRefused(t *testing.T) {
	code, stdout, stderr := runCmd(imapArgs("mail.example.invalid:143", t.TempDir())...)
	assert.Equal(t, 1, code)
	assert.Equal(t, "fetched 0 new messages, 0 already present, 0 deleted\n", stdout)
	assert.Contains(t, stderr, "not a loopback address")
}

// A connection that breaks in the middle of a message leaves no part of
// it in new/ or tmp/ and does not record it; the message before it is
// recorded. The next run fetches the rest.
func TestIMAPServerDiesMidMessage(t *testing.T) {
	msgs := [][]byte{
		[]byte("Subject: one\r\n\r\nfirst\r\n"),
		[]byte("Subject: two\r\n\r\nfirst half\r\nCUT-HERE\r\nsecond half\r\n"),
		[]byte("Subject: three\r\n\r\nthird\r\n"),
	}
	s := imapServer(t, msgs)
	dir := t.TempDir()
	proxy := cutProxy(t, s.Addr, []byte("CUT-HERE"))

	f := fetcher{dir: dir, delete: true, saveEvery: time.Hour}
	o := imapOptions{addr: proxy, user: "alice", pass: "secret", mailbox: "INBOX", write: true}
	sum, err := f.run(testCtx(t), o)
	require.Error(t, err)
	assert.Equal(t, summary{fetched: 1}, sum)
	assert.Equal(t, []string{asStored(msgs[0])}, stored(t, dir))
	assert.Empty(t, files(t, dir, "tmp"))
	ids := stateIDs(t, dir)
	require.Len(t, ids, 1)
	assert.True(t, strings.HasSuffix(ids[0], ".1"), ids[0])
	held, err := s.Messages("alice", "INBOX")
	require.NoError(t, err)
	require.Len(t, held, 3)
	for _, m := range held {
		assert.NotContains(t, m.Flags, imap.FlagDeleted)
	}

	o.addr = s.Addr
	sum, err = (&fetcher{dir: dir}).run(testCtx(t), o)
	require.NoError(t, err)
	assert.Equal(t, summary{fetched: 2, present: 1}, sum)
	assert.ElementsMatch(t, storedAll(msgs), stored(t, dir))
	assert.Len(t, stateIDs(t, dir), 3)
}

// A NO to UID FETCH stops the run with that response as the error:
// nothing is stored or recorded.
func TestIMAPFetchRefused_RFC3501_7_1_2(t *testing.T) {
	s := imapServer(t, testMessages()[:2])
	s.FailCommand("UID FETCH", &imap.StatusResponse{Type: imap.StatusNO, Code: "UNAVAILABLE", Text: "try later"})
	dir := t.TempDir()
	sum, err := (&fetcher{dir: dir}).run(testCtx(t), imapOptions{addr: s.Addr, user: "alice", pass: "secret", mailbox: "INBOX"})
	var r *imap.StatusResponse
	require.ErrorAs(t, err, &r)
	assert.Equal(t, "try later", r.Text)
	assert.Equal(t, summary{}, sum)
	assert.Empty(t, stored(t, dir))
	assert.Empty(t, files(t, dir, "tmp"))
	assert.Empty(t, stateIDs(t, dir))
}

// RFC 4315 section 2.1: -delete marks the stored messages, those of this
// run and of earlier ones, \Deleted and removes them with UID EXPUNGE at
// the end of the run.
func TestIMAPDelete_RFC4315_2_1(t *testing.T) {
	msgs := testMessages()[:3]
	s := imapServer(t, msgs)
	dir := t.TempDir()
	code, stdout, stderr := runCmd(imapArgs(s.Addr, dir)...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 3 new messages, 0 already present, 0 deleted\n", stdout)

	late := []byte("Subject: late\r\n\r\nafter the first run\r\n")
	_, err := s.Deliver("alice", "INBOX", late)
	require.NoError(t, err)
	code, stdout, stderr = runCmd(imapArgs(s.Addr, dir, "-delete")...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 1 new messages, 3 already present, 4 deleted\n", stdout)
	held, err := s.Messages("alice", "INBOX")
	require.NoError(t, err)
	assert.Empty(t, held)
	assert.ElementsMatch(t, append(storedAll(msgs), asStored(late)), stored(t, dir))
}

// Command lines that mix the modes exit with status 2 and the usage.
func TestIMAPUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-imap", "h:1", "-pop3", "h:2", "-user", "u", "-dir", "d"},
		{"-imap", "h:1", "-user", "u", "-list", "-dir", "d"},
		{"-imap", "h:1", "-user", "u", "-list", "-delete"},
		{"-pop3", "h:1", "-user", "u", "-list"},
		{"-imap", "h:1", "-user", "u"},
	} {
		code, stdout, stderr := runCmd(args...)
		assert.Equal(t, 2, code, strings.Join(args, " "))
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "usage:")
	}
}

// RFC 3501 section 7.4.2 lets a server send FLAGS after the body, and
// flag names are case-insensitive (section 9): the flags still reach the
// Maildir info, in ASCII order.
func TestIMAPFlagsAfterBody_RFC3501_7_4_2(t *testing.T) {
	client, server := net.Pipe()
	msg := "Subject: late flags\r\n\r\nbody\r\n"
	go func() {
		defer server.Close()
		io.WriteString(server, "* PREAUTH ready\r\n")
		br := bufio.NewReader(server)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			tag, rest, _ := strings.Cut(line, " ")
			if strings.HasPrefix(rest, "UID FETCH 7 ") {
				fmt.Fprintf(server, "* 3 FETCH (UID 7 BODY[] {%d}\r\n%s FLAGS (\\answered $Label \\DRAFT))\r\n", len(msg), msg)
			}
			io.WriteString(server, tag+" OK done\r\n")
		}
	}()
	c, err := imap.NewClient(testCtx(t), client, nil)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Select(testCtx(t), "INBOX", nil) // UID FETCH needs a selected mailbox
	require.NoError(t, err)
	src := &imapSource{c: c, mailbox: "INBOX", validity: 42}
	md, err := openMaildir(t.TempDir())
	require.NoError(t, err)

	ok, err := (&fetcher{}).fetchOne(testCtx(t), src, md, "42.7")
	require.NoError(t, err)
	assert.True(t, ok)
	cur, err := os.ReadDir(filepath.Join(md.dir, "cur"))
	require.NoError(t, err)
	require.Len(t, cur, 1)
	assert.True(t, strings.HasSuffix(cur[0].Name(), ":2,DR"), cur[0].Name())
	assert.Equal(t, []string{asStored([]byte(msg))}, files(t, md.dir, "cur"))
	assert.Empty(t, files(t, md.dir, "new"))
}

// An empty mailbox answers ESEARCH (RFC 4731 section 3.2) without ALL:
// nothing to fetch, and no error.
func TestIMAPEmptyMailbox_RFC4731_3_2(t *testing.T) {
	s := imapServer(t, nil)
	code, stdout, stderr := runCmd(imapArgs(s.Addr, t.TempDir())...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 0 new messages, 0 already present, 0 deleted\n", stdout)
}

// Without ESEARCH, UID SEARCH answers with every UID on one line (RFC 3501
// section 7.2.5), far longer than the codec's default line limit for a
// large mailbox; List still gets them all.
func TestIMAPLongSearchLine_RFC3501_7_2_5(t *testing.T) {
	const n = 30000
	client, server := net.Pipe()
	go func() {
		defer server.Close()
		io.WriteString(server, "* PREAUTH [CAPABILITY IMAP4rev1] ready\r\n")
		br := bufio.NewReader(server)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			tag, rest, _ := strings.Cut(line, " ")
			if strings.HasPrefix(rest, "UID SEARCH") {
				var sb strings.Builder
				sb.WriteString("* SEARCH")
				for uid := n; uid >= 1; uid-- {
					fmt.Fprintf(&sb, " %d", uid+100000)
				}
				io.WriteString(server, sb.String()+"\r\n")
			}
			io.WriteString(server, tag+" OK done\r\n")
		}
	}()
	c, err := imap.NewClient(testCtx(t), client, &imap.Options{MaxLine: searchLine})
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Select(testCtx(t), "INBOX", nil) // UID SEARCH needs a selected mailbox
	require.NoError(t, err)
	src := &imapSource{c: c, mailbox: "INBOX", validity: 9}
	ids, err := src.List(testCtx(t))
	require.NoError(t, err)
	require.Len(t, ids, n)
	assert.Equal(t, "9.100001", ids[0])
	assert.Equal(t, fmt.Sprintf("9.%d", 100000+n), ids[n-1])
}

// RFC 8314 section 3.3: -tls speaks TLS from the first octet, as on port
// 993.
func TestIMAPImplicitTLS_RFC8314(t *testing.T) {
	pair, err := testcert.New("127.0.0.1")
	require.NoError(t, err)
	store := imapmem.New()
	store.AddUser("alice", "secret")
	msg := []byte("Subject: tls\r\n\r\nover TLS\r\n")
	_, err = store.Append("alice", "INBOX", msg, nil, time.Now())
	require.NoError(t, err)
	srv := &imap.Server{Backend: store}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(tls.NewListener(l, pair.ServerConfig()))
	}()
	t.Cleanup(func() { srv.Close(); <-done })

	dir := t.TempDir()
	code, stdout, stderr := runCmd(imapArgs(l.Addr().String(), dir, "-tls", "-cafile", writeCA(t, pair.CertPEM))...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "fetched 1 new messages, 0 already present, 0 deleted\n", stdout)
	assert.Equal(t, []string{asStored(msg)}, stored(t, dir))
}
