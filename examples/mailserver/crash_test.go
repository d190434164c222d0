package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/smtp"
)

// crashMessage is message id in full: large enough (about 24 KB) that a
// kill often lands while one is on the wire or being written to tmp.
func crashMessage(id string) string {
	var b strings.Builder
	b.WriteString("From: carol@example.org\r\nTo: alice@example.test\r\nSubject: crash " + id + "\r\n\r\n")
	for i := range 400 {
		fmt.Fprintf(&b, "message %s line %03d: the quick brown fox jumps over the dog\r\n", id, i)
	}
	return b.String()
}

// TestCrashSIGKILL is the crash-safety check of the Maildir store: a
// server process is killed with SIGKILL while many SMTP clients deliver
// to it at once; a new process on the same Maildir serves every message
// that got its 250 to DATA (RFC 5321 section 4.1.1.4: the server has
// then taken responsibility for it) exactly once, and nothing partial:
// each message served is whole, byte for byte. A message killed before
// its 250 may be there or not, but at most once. Files left in tmp are
// allowed (the Maildir specification has readers ignore tmp).
func TestCrashSIGKILL(t *testing.T) {
	const senders, perSender, killAfter = 16, 25, 60
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	acked := deliverUntilKilled(ctx, t, startChild(t, dir), senders, perSender, killAfter)
	require.Less(t, len(acked), senders*perSender, "the kill came after every delivery")

	srv := startChild(t, dir)
	defer srv.stop(t)
	served := crashServed(t, srv.addrs["imap"])
	seen := map[string]int{}
	for _, body := range served {
		id := crashID(t, body)
		seen[id]++
		require.Equal(t, crashMessage(id), string(splitTrace(t, []byte(body), "localhost", "ESMTP", "alice@example.test")),
			"message %s is served partial or altered", id)
	}
	for id, n := range seen {
		require.Equal(t, 1, n, "message %s is served %d times", id, n)
	}
	for id := range acked {
		assert.Equal(t, 1, seen[id], "message %s got its 250 but is not served", id)
	}
	requireUIDLOnce(ctx, t, srv.addrs["pop3"], len(served))
	tmp, err := os.ReadDir(filepath.Join(dir, "alice", "Maildir", "tmp"))
	require.NoError(t, err)
	t.Logf("%d acknowledged, %d served, %d files left in tmp", len(acked), len(served), len(tmp))
}

// deliverUntilKilled has senders SMTP clients send perSender messages
// each to srv, and kills srv with SIGKILL once killAfter got their 250.
// It returns the IDs of the messages acknowledged.
func deliverUntilKilled(ctx context.Context, t *testing.T, srv *child, senders, perSender, killAfter int) map[string]bool {
	var mu sync.Mutex
	acked := map[string]bool{}
	killed := make(chan error, 1)
	var killOnce sync.Once
	var wg sync.WaitGroup
	for g := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := smtp.Dial(ctx, srv.addrs["smtp"], nil)
			if err != nil {
				return
			}
			defer c.Close()
			if c.Hello(ctx, "") != nil {
				return
			}
			for i := range perSender {
				id := fmt.Sprintf("%02d-%02d", g, i)
				err := c.Send(ctx, "carol@example.org", []string{"alice@example.test"}, strings.NewReader(crashMessage(id)), nil)
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				acked[id] = true
				n := len(acked)
				mu.Unlock()
				if n == killAfter {
					killOnce.Do(func() { killed <- srv.kill() })
				}
			}
			_ = c.Quit(ctx)
		}()
	}
	wg.Wait()
	select {
	case err := <-killed:
		require.NoError(t, err)
	default:
		t.Fatalf("only %d deliveries before the senders stopped; the kill never came: %s", len(acked), srv.stderr)
	}
	return acked
}

// requireUIDLOnce checks that POP3 sees the same maildrop of n messages
// and that UIDL names each once (RFC 1939 section 7).
func requireUIDLOnce(ctx context.Context, t *testing.T, addr string, n int) {
	p, err := pop3.Dial(ctx, addr, nil)
	require.NoError(t, err)
	defer p.Close()
	require.NoError(t, p.Login(ctx, "alice", "secret"))
	uidl, err := p.Uidl(ctx)
	require.NoError(t, err)
	require.Len(t, uidl, n)
	uids := map[string]bool{}
	for _, u := range uidl {
		require.False(t, uids[u.UID], "UIDL %s repeated", u.UID)
		uids[u.UID] = true
	}
	require.NoError(t, p.Quit(ctx))
}

// crashServed returns the bytes of every message in alice's INBOX.
func crashServed(t *testing.T, addr string) []string {
	t.Helper()
	ctx := context.Background()
	c := imapLogin(t, addr, "alice", "secret", nil)
	sel, err := c.Select(ctx, "INBOX", nil)
	require.NoError(t, err)
	require.NotZero(t, sel.NumMessages)
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(ctx, imap.SeqSetRange(1, sel.NumMessages), &imap.FetchOptions{
		BodySection: []*imap.FetchItemBodySection{section},
	}).Collect()
	require.NoError(t, err)
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = string(m.FindBodySection(section))
	}
	require.NoError(t, c.Logout(ctx))
	return out
}

// crashID returns the id in a served message's Subject.
func crashID(t *testing.T, body string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, "\r\nSubject: crash ")
	require.True(t, ok, "no crash subject in:\n%.300s", body)
	id, _, _ := strings.Cut(rest, "\r\n")
	return id
}
