package main

import (
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/smtp"
)

// startServer runs a mailserver on 127.0.0.1 ports chosen by the kernel
// with users alice and bob, and stops it when the test ends.
func startServer(t *testing.T, maildir string) *Mailserver {
	t.Helper()
	m, err := Start(Config{
		SMTP: "127.0.0.1:0", Submission: "127.0.0.1:0", POP3: "127.0.0.1:0", IMAP: "127.0.0.1:0",
		Domain: "example.test", UserList: "alice:secret,bob:hunter2", Maildir: maildir,
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, m.Shutdown(ctx))
	})
	return m
}

const sample = "From: Carol <carol@example.org>\r\n" +
	"To: alice@example.test\r\n" +
	"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n" +
	"Message-ID: <1@example.org>\r\n" +
	"\r\n" +
	"Hello Alice,\r\n" +
	".a line that starts with a dot\r\n" +
	"\r\n" +
	"bye\r\n"

// traceRE matches the headers the delivery agent prepends (RFC 5321
// section 4.4) for a message from carol@example.org over loopback.
func traceRE(helo, with, rcpt string) *regexp.Regexp {
	return regexp.MustCompile(`^Return-Path: <carol@example\.org>\r\n` +
		`Received: from ` + regexp.QuoteMeta(helo) + ` \(\[127\.0\.0\.1\]\)\r\n` +
		`\tby example\.test \(mailwire\) with ` + with + ` id [0-9A-F]{16}\r\n` +
		`\tfor <` + regexp.QuoteMeta(rcpt) + `>; [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}\r\n`)
}

// splitTrace checks the trace headers of a delivered message and returns
// what follows them.
func splitTrace(t *testing.T, got []byte, helo, with, rcpt string) []byte {
	t.Helper()
	loc := traceRE(helo, with, rcpt).FindIndex(got)
	require.NotNil(t, loc, "trace headers missing or malformed in:\n%s", got)
	return got[loc[1]:]
}

func imapLogin(t *testing.T, addr, user, pass string, opts *imap.Options) *imap.Client {
	t.Helper()
	ctx := context.Background()
	c, err := imap.Dial(ctx, addr, opts)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.Login(ctx, user, pass))
	return c
}

func imapBody(t *testing.T, c *imap.Client, uid uint32) []byte {
	t.Helper()
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.UIDFetch(context.Background(), imap.SeqSetNum(uid), &imap.FetchOptions{
		BodySection: []*imap.FetchItemBodySection{section},
	}).Collect()
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	return msgs[0].FindBodySection(section)
}

func pop3Retr(t *testing.T, c *pop3.Client, n int) []byte {
	t.Helper()
	r, err := c.Retr(context.Background(), n)
	require.NoError(t, err)
	data, err := io.ReadAll(r)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	return data
}

// TestSMTPToIMAPAndPOP3 is the whole path: an IDLE session (RFC 2177)
// sees the SMTP delivery arrive, IMAP and POP3 serve the bytes that were
// sent behind the trace headers, and a POP3 DELE+QUIT reaches the IMAP
// session as EXPUNGE.
func TestSMTPToIMAPAndPOP3(t *testing.T) {
	t.Run("memory", func(t *testing.T) { testSMTPToIMAPAndPOP3(t, "") })
	t.Run("maildir", func(t *testing.T) { testSMTPToIMAPAndPOP3(t, t.TempDir()) })
}

func testSMTPToIMAPAndPOP3(t *testing.T, maildir string) {
	m := startServer(t, maildir)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	exists := make(chan uint32, 8)
	expunged := make(chan uint32, 8)
	c := imapLogin(t, m.Addr("imap"), "alice", "secret", &imap.Options{Unilateral: imap.UnilateralHandler{
		Exists:  func(n uint32) { exists <- n },
		Expunge: func(seq uint32) { expunged <- seq },
	}})
	_, err := c.Select(ctx, "INBOX", nil)
	require.NoError(t, err)
	drain(exists)
	idleCtx, stopIdle := context.WithCancel(ctx)
	idled := make(chan error, 1)
	go func() { idled <- c.Idle(idleCtx) }()

	require.NoError(t, smtp.SendMail(ctx, m.Addr("smtp"), nil, "carol@example.org",
		[]string{"alice@example.test"}, strings.NewReader(sample), nil))
	select {
	case n := <-exists:
		require.Equal(t, uint32(1), n)
	case <-ctx.Done():
		t.Fatal("IDLE session was not told of the delivery")
	}
	stopIdle()
	require.NoError(t, <-idled)

	got := imapBody(t, c, 1)
	require.Equal(t, sample, string(splitTrace(t, got, "localhost", "ESMTP", "alice@example.test")))

	p, err := pop3.Dial(ctx, m.Addr("pop3"), nil)
	require.NoError(t, err)
	defer p.Close()
	require.NoError(t, p.Login(ctx, "alice@example.test", "secret"))
	list, err := p.List(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, int64(len(got)), list[0].Size)
	require.Equal(t, got, pop3Retr(t, p, 1), "POP3 and IMAP serve the same bytes")
	require.NoError(t, p.Dele(ctx, 1))
	require.NoError(t, p.Quit(ctx))

	require.NoError(t, c.Noop(ctx))
	select {
	case seq := <-expunged:
		require.Equal(t, uint32(1), seq)
	case <-ctx.Done():
		t.Fatal("POP3 deletion did not reach IMAP as EXPUNGE")
	}
	require.Equal(t, uint32(0), c.Mailbox().NumMessages)
}

// drain empties a channel of what SELECT reported, so the caller waits
// only for what comes later.
func drain(ch chan uint32) {
	for len(ch) > 0 {
		<-ch
	}
}

// TestRecipients follows RFC 5321: one copy per local recipient, each
// with its own "for" clause; unknown local users get 550 5.1.1 and other
// domains 550 5.7.1 (no open relay).
func TestRecipients(t *testing.T) {
	m := startServer(t, "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := smtp.Dial(ctx, m.Addr("smtp"), nil)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Hello(ctx, "client.example.org"))
	require.NoError(t, c.Mail(ctx, "carol@example.org", nil))
	requireReply(t, c.Rcpt(ctx, "nobody@example.test", nil), 550, smtp.EnhancedCode{5, 1, 1})
	requireReply(t, c.Rcpt(ctx, "bob@elsewhere.example", nil), 550, smtp.EnhancedCode{5, 7, 1})
	require.NoError(t, c.Rcpt(ctx, "Alice@Example.Test", nil))
	require.NoError(t, c.Rcpt(ctx, "bob@example.test", nil))
	w, err := c.Data(ctx)
	require.NoError(t, err)
	_, err = io.WriteString(w, sample)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, c.Quit(ctx))

	for _, u := range []struct{ user, pass, rcpt string }{
		{"alice", "secret", "Alice@Example.Test"},
		{"bob", "hunter2", "bob@example.test"},
	} {
		ic := imapLogin(t, m.Addr("imap"), u.user, u.pass, nil)
		_, err := ic.Select(ctx, "INBOX", nil)
		require.NoError(t, err)
		require.Equal(t, uint32(1), ic.Mailbox().NumMessages, u.user)
		got := imapBody(t, ic, 1)
		require.Equal(t, sample, string(splitTrace(t, got, "client.example.org", "ESMTP", u.rcpt)))
	}
}

// TestSubmission checks the submission port: MAIL before AUTH is refused
// with 530 5.7.0 (RFC 6409 section 4.3), and after AUTH the Received line
// says ESMTPA (RFC 3848).
func TestSubmission(t *testing.T) {
	m := startServer(t, "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := smtp.SendMail(ctx, m.Addr("submission"), nil, "carol@example.org", []string{"alice@example.test"}, strings.NewReader(sample), nil)
	requireReply(t, err, 530, smtp.EnhancedCode{5, 7, 0})
	err = smtp.SendMail(ctx, m.Addr("submission"), smtp.PlainAuth("", "bob", "wrong"), "carol@example.org", []string{"alice@example.test"}, strings.NewReader(sample), nil)
	requireReply(t, err, 535, smtp.EnhancedCode{5, 7, 8})
	require.NoError(t, smtp.SendMail(ctx, m.Addr("submission"), smtp.PlainAuth("", "bob", "hunter2"),
		"carol@example.org", []string{"alice@example.test"}, strings.NewReader(sample), nil))

	ic := imapLogin(t, m.Addr("imap"), "alice@example.test", "secret", nil)
	_, err = ic.Select(ctx, "INBOX", nil)
	require.NoError(t, err)
	require.Equal(t, sample, string(splitTrace(t, imapBody(t, ic, 1), "localhost", "ESMTPA", "alice@example.test")))
}

// TestSubmissionSCRAM: the users may also authenticate with SCRAM
// (RFC 5802, RFC 7677), by name or by address, and a wrong password gets
// 535 5.7.8 as it does with PLAIN; with -relay too, where the sessions
// are split between the delivery agent and the queue.
func TestSubmissionSCRAM(t *testing.T) {
	for _, relay := range []bool{false, true} {
		cfg := Config{Submission: "127.0.0.1:0", Domain: "example.test", UserList: "bob:hunter2"}
		if relay {
			cfg.Relay = relayConfig(t.TempDir(), "127.0.0.1:9")
		}
		m := startMS(t, cfg)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		send := func(a smtp.SASLClient) error {
			return smtp.SendMail(ctx, m.Addr("submission"), a, "bob@example.test", []string{"bob@example.test"}, strings.NewReader(sample), nil)
		}
		requireReply(t, send(smtp.ScramSHA256Auth("bob", "wrong")), 535, smtp.EnhancedCode{5, 7, 8})
		require.NoError(t, send(smtp.ScramSHA256Auth("bob@example.test", "hunter2")), "relay %v", relay)
		require.NoError(t, send(smtp.ScramSHA1Auth("bob", "hunter2")), "relay %v", relay)
	}
}

func requireReply(t *testing.T, err error, code int, enhanced smtp.EnhancedCode) {
	t.Helper()
	var r *smtp.Reply
	require.True(t, errors.As(err, &r), "want reply %d, got %v", code, err)
	require.Equal(t, code, r.Code, r.Error())
	require.Equal(t, enhanced, r.Enhanced, r.Error())
}

// TestPOP3Lock: a second POP3 session of the same user is refused with
// [IN-USE] (RFC 2449 section 8.1.1) while the first holds the maildrop.
func TestPOP3Lock(t *testing.T) {
	m := startServer(t, "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	p1, err := pop3.Dial(ctx, m.Addr("pop3"), nil)
	require.NoError(t, err)
	defer p1.Close()
	require.NoError(t, p1.Login(ctx, "alice", "secret"))
	p2, err := pop3.Dial(ctx, m.Addr("pop3"), nil)
	require.NoError(t, err)
	defer p2.Close()
	err = p2.Login(ctx, "alice", "secret")
	var r *pop3.Response
	require.True(t, errors.As(err, &r), "%v", err)
	require.Equal(t, pop3.CodeInUse, r.Code)
	require.NoError(t, p1.Quit(ctx))
	require.NoError(t, p2.Login(ctx, "alice", "secret"))
}
