package main

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/peertest"
	"github.com/mailwire/mailwire/smtp"
)

// TestMaildirDovecotLive runs a mailserver process and Dovecot on one
// Maildir at the same time. Mail delivered through either (our SMTP,
// Dovecot's LDA, Dovecot's IMAP APPEND) shows on both with the same
// UIDVALIDITY and UIDs (RFC 3501 section 2.3.1.1), the same POP3 UIDLs
// (RFC 1939 section 7; Dovecot's default pop3_uidl_format), the same
// flags and keywords whichever side set them (dovecot-keywords), and
// folders either side creates, non-ASCII names included, list on both
// (modified UTF-7 on disk, RFC 3501 section 5.1.3). An IDLE session on
// each side (RFC 2177) sees the other side's deliveries.
func TestMaildirDovecotLive(t *testing.T) {
	lda := peertest.Need(t, "/usr/lib/dovecot/dovecot-lda")
	w := startMultiProcess(t)
	ours, theirs := w.a.addrs["imap"], w.dovecot
	pop3Dovecot, conf := w.dovecotPOP3, w.dovecotConf

	ctx := context.Background()
	require.NoError(t, smtp.SendMail(ctx, w.a.addrs["smtp"], nil, "carol@example.org",
		[]string{"alice@example.test"}, strings.NewReader(mpMessage("via our smtp")), nil))
	cmd := exec.Command(lda, "-c", conf, "-d", "alice", "-f", "dave@example.org")
	cmd.Stdin = strings.NewReader(strings.ReplaceAll(mpMessage("via dovecot-lda"), "\r\n", "\n"))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	d := imapLogin(t, theirs, "alice", "secret", nil)
	msg := mpMessage("via dovecot append")
	_, err = d.Append(ctx, "INBOX", int64(len(msg)), strings.NewReader(msg), nil)
	require.NoError(t, err)
	sameView(t, ours, theirs, "INBOX", 3)

	// Flags and keywords set on either side.
	setFlags(t, theirs, 1, imap.FlagSeen, "$Label1", "Junk")
	setFlags(t, ours, 2, imap.FlagFlagged, "$Label2")
	v := sameView(t, ours, theirs, "INBOX", 3)
	require.Equal(t, []imap.Flag{"$Label1", "Junk", imap.FlagSeen}, v.Messages[0].Flags)
	require.Equal(t, []imap.Flag{"$Label2", imap.FlagFlagged}, v.Messages[1].Flags)
	require.Equal(t, pop3UIDL(t, pop3Dovecot), pop3UIDL(t, w.a.addrs["pop3"]), "POP3 UIDLs differ")

	// Folders created on either side.
	o := imapLogin(t, ours, "alice", "secret", nil)
	require.NoError(t, d.Create(ctx, "Entwürfe2"))
	require.NoError(t, o.Create(ctx, "Archiv/2026 März"))
	for _, addr := range []string{ours, theirs} {
		names := listNames(t, addr)
		require.Contains(t, names, "Entwürfe2")
		require.Contains(t, names, "Archiv/2026 März")
	}

	// IDLE on each side sees what the other delivers.
	idleSees(t, ours, func() {
		_, err := d.Append(ctx, "INBOX", int64(len(msg)), strings.NewReader(msg), nil)
		require.NoError(t, err)
	})
	idleSees(t, theirs, func() {
		require.NoError(t, smtp.SendMail(ctx, w.a.addrs["smtp"], nil, "carol@example.org",
			[]string{"alice@example.test"}, strings.NewReader(mpMessage("while dovecot idles")), nil))
	})
	sameView(t, ours, theirs, "INBOX", 5)
}

// sameView requires both servers to show folder alike, with n messages.
func sameView(t *testing.T, ours, theirs, folder string, n int) mpView {
	t.Helper()
	v := readView(t, theirs, folder)
	require.Len(t, v.Messages, n)
	require.Equal(t, v, readView(t, ours, folder), "we show %s otherwise than Dovecot", folder)
	return v
}

func listNames(t *testing.T, addr string) []string {
	t.Helper()
	c := imapLogin(t, addr, "alice", "secret", nil)
	list, err := c.List(context.Background(), "", []string{"*"}, nil)
	require.NoError(t, err)
	var names []string
	for _, l := range list {
		names = append(names, l.Mailbox)
	}
	slices.Sort(names)
	return names
}

// idleSees selects INBOX on addr, starts IDLE, runs change and waits (a
// few seconds at most) for the EXISTS it must bring.
func idleSees(t *testing.T, addr string, change func()) {
	t.Helper()
	exists := make(chan uint32, 16)
	c := imapLogin(t, addr, "alice", "secret", &imap.Options{Unilateral: imap.UnilateralHandler{
		Exists: func(n uint32) { exists <- n },
	}})
	ctx := context.Background()
	sel, err := c.Select(ctx, "INBOX", nil)
	require.NoError(t, err)
	for len(exists) > 0 {
		<-exists
	}
	idleCtx, stop := context.WithCancel(ctx)
	idled := make(chan error, 1)
	go func() { idled <- c.Idle(idleCtx) }()
	change()
	timeout := time.After(10 * time.Second)
	for seen := false; !seen; {
		select {
		case n := <-exists:
			seen = n > sel.NumMessages
		case <-timeout:
			t.Fatalf("IDLE on %s saw no EXISTS after the other side's delivery", addr)
		}
	}
	stop()
	require.NoError(t, <-idled)
}
