package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/dovecottest"
	"github.com/mailwire/mailwire/internal/peertest"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/smtp"
)

// message returns a distinct small message.
func message(i int) string {
	return fmt.Sprintf("From: carol@example.org\r\nTo: alice@example.test\r\nSubject: message %d\r\n\r\nbody %d\r\n", i, i)
}

func send(t *testing.T, m *Mailserver, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		require.NoError(t, smtp.SendMail(context.Background(), m.Addr("smtp"), nil, "carol@example.org",
			[]string{"alice@example.test"}, strings.NewReader(message(i)), nil))
	}
}

// mailboxState is what a client sees of a mailbox: UIDVALIDITY, and per
// message its UID, flags without \Recent, and bytes.
type mailboxState struct {
	validity uint32
	uids     []uint32
	flags    [][]imap.Flag
	bodies   []string
}

func readMailbox(t *testing.T, addr, user, pass, mailbox string) mailboxState {
	t.Helper()
	ctx := context.Background()
	c := imapLogin(t, addr, user, pass, nil)
	sel, err := c.Select(ctx, mailbox, nil)
	require.NoError(t, err)
	st := mailboxState{validity: sel.UIDValidity}
	if sel.NumMessages == 0 {
		return st
	}
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(ctx, imap.SeqSetRange(1, sel.NumMessages), &imap.FetchOptions{
		UID: true, Flags: true, BodySection: []*imap.FetchItemBodySection{section},
	}).Collect()
	require.NoError(t, err)
	for _, msg := range msgs {
		flags := slices.DeleteFunc(slices.Clone(msg.Flags), func(f imap.Flag) bool { return f == imap.FlagRecent })
		slices.Sort(flags)
		if len(flags) == 0 {
			flags = nil
		}
		st.uids = append(st.uids, msg.UID)
		st.flags = append(st.flags, flags)
		st.bodies = append(st.bodies, string(msg.FindBodySection(section)))
	}
	require.NoError(t, c.Logout(ctx))
	return st
}

func pop3UIDL(t *testing.T, addr string) []string {
	t.Helper()
	ctx := context.Background()
	p, err := pop3.Dial(ctx, addr, nil)
	require.NoError(t, err)
	defer p.Close()
	require.NoError(t, p.Login(ctx, "alice", "secret"))
	list, err := p.Uidl(ctx)
	require.NoError(t, err)
	require.NoError(t, p.Quit(ctx))
	var out []string
	for _, it := range list {
		out = append(out, it.UID)
	}
	return out
}

func setFlags(t *testing.T, addr string, uid uint32, flags ...imap.Flag) {
	t.Helper()
	ctx := context.Background()
	c := imapLogin(t, addr, "alice", "secret", nil)
	_, err := c.Select(ctx, "INBOX", nil)
	require.NoError(t, err)
	_, err = c.UIDStore(ctx, imap.SeqSetNum(uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: flags}, nil).Collect()
	require.NoError(t, err)
	require.NoError(t, c.Logout(ctx))
}

// TestMaildirRestart: UIDVALIDITY, UIDs, UIDL and flags survive a
// restart on the same Maildir (RFC 3501 section 2.3.1.1, RFC 1939
// section 7), and UIDs are not reused after an expunge.
func TestMaildirRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{SMTP: "127.0.0.1:0", POP3: "127.0.0.1:0", IMAP: "127.0.0.1:0",
		Domain: "example.test", UserList: "alice:secret", Maildir: dir}
	m, err := Start(cfg)
	require.NoError(t, err)
	send(t, m, 3)
	setFlags(t, m.Addr("imap"), 2, imap.FlagSeen, imap.FlagFlagged)
	setFlags(t, m.Addr("imap"), 3, imap.FlagDeleted)
	before := readMailbox(t, m.Addr("imap"), "alice", "secret", "INBOX")
	uidl := pop3UIDL(t, m.Addr("pop3"))
	require.NoError(t, m.Shutdown(context.Background()))

	m, err = Start(cfg)
	require.NoError(t, err)
	defer m.Shutdown(context.Background())
	require.Equal(t, before, readMailbox(t, m.Addr("imap"), "alice", "secret", "INBOX"))
	require.Equal(t, uidl, pop3UIDL(t, m.Addr("pop3")))

	ctx := context.Background()
	c := imapLogin(t, m.Addr("imap"), "alice", "secret", nil)
	_, err = c.Select(ctx, "INBOX", nil)
	require.NoError(t, err)
	_, err = c.Expunge(ctx)
	require.NoError(t, err)
	send(t, m, 1)
	after := readMailbox(t, m.Addr("imap"), "alice", "secret", "INBOX")
	require.Equal(t, []uint32{1, 2, 4}, after.uids, "UID 3 is not reused")
}

// startDovecot runs a private Dovecot (internal/dovecottest) on the
// Maildirs under maildirs and returns its IMAP address and its
// configuration file (for the LDA).
func startDovecot(t *testing.T, maildirs string) (addr, conf string) {
	t.Helper()
	chownNobody(t, maildirs)
	s := dovecottest.Start(t, dovecottest.Config{
		Protocols:    []string{"imap"},
		MailLocation: "maildir:" + maildirs + "/%u/Maildir",
		Extra: `postmaster_address = postmaster@example.test
namespace inbox {
  inbox = yes
  separator = /
}
`,
	})
	return s.IMAP, s.Conf
}

// chownNobody hands the Maildirs to the user Dovecot runs mail as.
func chownNobody(t *testing.T, dir string) {
	t.Helper()
	require.NoError(t, os.Chmod(dir, 0o755))
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
	out, err := exec.Command("chown", "-R", "nobody:nogroup", dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
}

// TestMaildirDovecot: a Dovecot on our Maildir lists the same messages
// with the same flags and folders; mail that Dovecot's LDA and a
// Postfix-style local delivery put there is served by us, over IMAP and
// POP3, byte-exact with CRLF line ends.
func TestMaildirDovecot(t *testing.T) {
	lda := peertest.Need(t, "/usr/lib/dovecot/dovecot-lda")
	root := t.TempDir()
	m := startServer(t, root)
	addr := m.Addr("imap")
	send(t, m, 4)
	setFlags(t, addr, 1, imap.FlagSeen)
	setFlags(t, addr, 2, imap.FlagFlagged, imap.FlagAnswered)
	setFlags(t, addr, 3, imap.FlagDraft, imap.FlagSeen, imap.FlagDeleted)
	ctx := context.Background()
	c := imapLogin(t, addr, "alice", "secret", nil)
	require.NoError(t, c.Create(ctx, "Work/2024"))
	_, err := c.Select(ctx, "INBOX", nil)
	require.NoError(t, err)
	_, err = c.UIDCopy(ctx, imap.SeqSetNum(2), "Work/2024")
	require.NoError(t, err)
	ours := readMailbox(t, addr, "alice", "secret", "INBOX")
	oursWork := readMailbox(t, addr, "alice", "secret", "Work/2024")

	dovecotAddr, conf := startDovecot(t, root)
	theirs := readMailbox(t, dovecotAddr, "alice", "secret", "INBOX")
	require.Equal(t, ours.flags, theirs.flags)
	require.Equal(t, ours.bodies, theirs.bodies)
	theirsWork := readMailbox(t, dovecotAddr, "alice", "secret", "Work/2024")
	require.Equal(t, oursWork.flags, theirsWork.flags)
	require.Equal(t, oursWork.bodies, theirsWork.bodies)

	// Dovecot's LDA delivers (as Postfix's mailbox_command would run it).
	ldaMsg := "From: dave@example.org\nSubject: via dovecot-lda\n\nline one\nline two\n"
	cmd := exec.Command(lda, "-c", conf, "-d", "alice", "-f", "dave@example.org")
	cmd.Stdin = strings.NewReader(ldaMsg)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	// Postfix's local(8) writes tmp/, then links into new/ as time.Vpid.host.
	pfMsg := "From: erin@example.org\nSubject: via postfix local\n\nhello\n"
	inbox := filepath.Join(root, "alice", "Maildir")
	base := fmt.Sprintf("%d.V801I42M123456.mailhost", time.Now().Unix())
	require.NoError(t, os.WriteFile(filepath.Join(inbox, "tmp", base), []byte(pfMsg), 0o600))
	require.NoError(t, os.Rename(filepath.Join(inbox, "tmp", base), filepath.Join(inbox, "new", base)))

	after := readMailbox(t, addr, "alice", "secret", "INBOX")
	require.Len(t, after.bodies, 6)
	require.Equal(t, ours.bodies, after.bodies[:4], "Dovecot moved the files; we still serve them")
	require.Equal(t, ours.flags, after.flags[:4])
	require.Equal(t, ours.uids, after.uids[:4])
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	require.Contains(t, after.bodies[4], crlf("Subject: via dovecot-lda\n\nline one\nline two\n"))
	require.Equal(t, crlf(pfMsg), after.bodies[5])

	p, err := pop3.Dial(ctx, m.Addr("pop3"), nil)
	require.NoError(t, err)
	defer p.Close()
	require.NoError(t, p.Login(ctx, "alice", "secret"))
	list, err := p.List(ctx)
	require.NoError(t, err)
	require.Len(t, list, 6)
	require.Equal(t, int64(len(after.bodies[5])), list[5].Size)
	require.Equal(t, after.bodies[5], string(pop3Retr(t, p, 6)))
	require.Equal(t, after.bodies[0], string(pop3Retr(t, p, 1)))
}
