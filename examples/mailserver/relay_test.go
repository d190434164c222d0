package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/peertest"
	mime "github.com/mailwire/mailwire/message"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/queue"
)

// startMS runs a mailserver with cfg and shuts it down when the test ends.
func startMS(t *testing.T, cfg Config) *Mailserver {
	t.Helper()
	m, err := Start(cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, m.Shutdown(ctx))
	})
	return m
}

// serverB is the receiving side: b.test with user bob, on smtpAddr.
func serverB(t *testing.T, smtpAddr string) *Mailserver {
	return startMS(t, Config{SMTP: smtpAddr, IMAP: "127.0.0.1:0", POP3: "127.0.0.1:0", Domain: "b.test", UserList: "bob:bobpw"})
}

// relayConfig is A's relay towards b.test, retrying in milliseconds.
func relayConfig(dir, bAddr string) RelayConfig {
	return RelayConfig{Enabled: true, QueueDir: dir, Routes: map[string]string{"b.test": bAddr},
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}
}

// serverA is the sending side: a.test with user alice, relaying.
func serverA(t *testing.T, rc RelayConfig) *Mailserver {
	return startMS(t, Config{SMTP: "127.0.0.1:0", Submission: "127.0.0.1:0", IMAP: "127.0.0.1:0",
		Domain: "a.test", UserList: "alice:alicepw", Relay: rc})
}

const relayed = "From: Alice <alice@a.test>\r\nTo: Bob <bob@b.test>\r\nSubject: across\r\n" +
	"Message-ID: <relay-1@a.test>\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\nHello Bob,\r\n.dot line\r\nAlice\r\n"

// submit sends msg as alice over A's submission port (RFC 6409, AUTH).
func submit(t *testing.T, addr string, to ...string) {
	t.Helper()
	ctx := context.Background()
	c, err := smtp.Dial(ctx, addr, nil)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Hello(ctx, "mua.a.test"))
	require.NoError(t, c.Auth(ctx, smtp.PlainAuth("", "alice", "alicepw")))
	err = c.Send(ctx, "alice@a.test", to, strings.NewReader(relayed), nil)
	require.NoError(t, err)
	require.NoError(t, c.Quit(ctx))
}

// waitQueue waits, woken by each change, until cond holds for q.
func waitQueue(t *testing.T, q *queue.Queue, cond func([]*queue.Entry) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		changed := q.Changed()
		if cond(q.Entries()) {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("queue never reached the state; it holds %d entries", len(q.Entries()))
		}
	}
}

func queueEmpty(l []*queue.Entry) bool { return len(l) == 0 }

// relayTrace matches what the two hops prepend (RFC 5321 section 4.4):
// B's Return-Path and Received, then A's Received.
var relayTrace = regexp.MustCompile(`^Return-Path: <alice@a\.test>\r\n` +
	`Received: from a\.test \(\[127\.0\.0\.1\]\)\r\n\tby b\.test \(mailwire\) with ESMTP id [0-9A-F]+\r\n\tfor <bob@b\.test>; [^\r]+\r\n` +
	`Received: from mua\.a\.test \(\[127\.0\.0\.1\]\)\r\n\tby a\.test with ESMTPA id [^\r]+\r\n\tfor <bob@b\.test>; [^\r]+\r\n`)

// inbox reads user's INBOX over IMAP and returns the messages in order.
func inbox(t *testing.T, m *Mailserver, user, pass string) [][]byte {
	t.Helper()
	c := imapLogin(t, m.Addr("imap"), user, pass, nil)
	mb, err := c.Select(context.Background(), "INBOX", nil)
	require.NoError(t, err)
	var msgs [][]byte
	for uid := range mb.NumMessages {
		msgs = append(msgs, imapBody(t, c, uid+1))
	}
	return msgs
}

// The two-instance path: alice@a.test submits to A for
// bob@b.test; A queues and relays; B delivers into bob's INBOX; IMAP and
// POP3 serve it byte-exact behind one Return-Path and two Received.
func TestRelay_TwoInstances_RFC5321_4_4(t *testing.T) {
	b := serverB(t, "127.0.0.1:0")
	a := serverA(t, relayConfig(t.TempDir(), b.Addr("smtp")))
	submit(t, a.Addr("submission"), "bob@b.test")
	waitQueue(t, a.relay.queue, queueEmpty)

	msgs := inbox(t, b, "bob", "bobpw")
	require.Len(t, msgs, 1)
	loc := relayTrace.FindIndex(msgs[0])
	require.NotNil(t, loc, "trace fields:\n%s", msgs[0])
	assert.Equal(t, relayed, string(msgs[0][loc[1]:]))

	ctx := context.Background()
	p, err := pop3.Dial(ctx, b.Addr("pop3"), nil)
	require.NoError(t, err)
	defer p.Close()
	require.NoError(t, p.Login(ctx, "bob", "bobpw"))
	assert.Equal(t, msgs[0], pop3Retr(t, p, 1), "POP3 serves the IMAP bytes")
	require.NoError(t, p.Quit(ctx))
}

// Without AUTH, A is no open relay (RFC 5321 section 3.6.2).
func TestRelay_NoOpenRelay_RFC5321_3_6_2(t *testing.T) {
	a := serverA(t, relayConfig(t.TempDir(), peertest.FreeAddr(t)))
	err := smtp.SendMail(context.Background(), a.Addr("smtp"), nil, "x@x.test", []string{"bob@b.test"}, strings.NewReader(relayed), nil)
	requireReply(t, err, 550, smtp.EnhancedCode{5, 7, 1})
	assert.Empty(t, a.relay.queue.Entries())
}

// B down: A keeps the message and retries with backoff (RFC 5321 section
// 4.5.4.1); once B is up the message arrives, once.
func TestRelay_DestinationDownThenUp_RFC5321_4_5_4_1(t *testing.T) {
	bAddr := peertest.FreeAddr(t)
	a := serverA(t, relayConfig(t.TempDir(), bAddr))
	submit(t, a.Addr("submission"), "bob@b.test")
	waitQueue(t, a.relay.queue, func(l []*queue.Entry) bool {
		return len(l) == 1 && l[0].Recipients[0].Attempts >= 2
	})
	assert.Equal(t, queue.Deferred, a.relay.queue.Entries()[0].Recipients[0].State)

	b := serverB(t, bAddr)
	waitQueue(t, a.relay.queue, queueEmpty)
	assert.Len(t, inbox(t, b, "bob", "bobpw"), 1)
}

// B answers 550 for one recipient and 250 for the other: bob gets the
// message, alice gets a DSN in her INBOX at A, a multipart/report (RFC
// 3464) with Action failed and Status 5.1.1.
func TestRelay_OneRecipientRefused_RFC3464(t *testing.T) {
	b := serverB(t, "127.0.0.1:0")
	a := serverA(t, relayConfig(t.TempDir(), b.Addr("smtp")))
	submit(t, a.Addr("submission"), "bob@b.test", "nobody@b.test")
	waitQueue(t, a.relay.queue, queueEmpty)

	assert.Len(t, inbox(t, b, "bob", "bobpw"), 1)
	dsns := inbox(t, a, "alice", "alicepw")
	require.Len(t, dsns, 1)
	mr := mime.NewReader(bytes.NewReader(dsns[0]))
	root, err := mr.NextPart()
	require.NoError(t, err)
	assert.Equal(t, "multipart/report", root.MediaType)
	assert.Equal(t, "<>", root.Header.Get("Return-Path"), "a DSN has the null reverse path")
	var status mime.Header
	for {
		p, err := mr.NextPart()
		require.NoError(t, err, "no message/delivery-status part")
		if p.MediaType == "message/delivery-status" {
			br := bufio.NewReader(p.Body())
			_, err := mime.ReadHeader(br) // per-message fields
			require.NoError(t, err)
			status, err = mime.ReadHeader(br)
			require.NoError(t, err)
			break
		}
	}
	assert.Equal(t, "rfc822; nobody@b.test", status.Get("Final-Recipient"))
	assert.Equal(t, "failed", status.Get("Action"))
	assert.Equal(t, "5.1.1", status.Get("Status"))
}

// relayChildEnv, set to "queue-dir|b-address", makes the test binary run
// as mail server A (see TestMain), so that a test can SIGKILL it.
const relayChildEnv = "MAILSERVER_TEST_RELAY_CHILD"

// runRelayChild runs A until SIGTERM (serveChild).
func runRelayChild(spec string) int {
	dir, bAddr, _ := strings.Cut(spec, "|")
	return serveChild(Config{SMTP: "127.0.0.1:0", Submission: "127.0.0.1:0", Domain: "a.test",
		UserList: "alice:alicepw", Relay: relayConfig(dir, bAddr)})
}

// startRelayChild runs A as a separate process on the queue in dir.
func startRelayChild(t *testing.T, dir, bAddr string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), relayChildEnv+"="+dir+"|"+bAddr)
	c := &child{cmd: cmd, addrs: map[string]string{}, stderr: new(bytes.Buffer)}
	cmd.Stderr = c.stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "ready" {
		name, addr, _ := strings.Cut(sc.Text(), " ")
		c.addrs[name] = addr
	}
	require.NotEmpty(t, c.addrs["submission"], "child did not start: %s", c.stderr)
	go io.Copy(io.Discard, out)
	return c
}

// A killed with SIGKILL while it holds queued mail (B down) delivers the
// mail after a restart, exactly once (RFC 5321 section 6.1). -mailq
// lists it meanwhile, from the spool the killed process left.
func TestRelay_SIGKILLWithQueuedMail_RFC5321_6_1(t *testing.T) {
	dir := t.TempDir()
	bAddr := peertest.FreeAddr(t)
	a := startRelayChild(t, dir, bAddr)
	submit(t, a.addrs["submission"], "bob@b.test")
	require.NoError(t, a.kill())

	var list bytes.Buffer
	require.NoError(t, queueCmd{list: true}.run(dir, &list))
	assert.Contains(t, list.String(), "bob@b.test")
	assert.Contains(t, list.String(), "in 1 Requests.")

	b := serverB(t, bAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	exists := make(chan uint32, 8)
	c := imapLogin(t, b.Addr("imap"), "bob", "bobpw", &imap.Options{Unilateral: imap.UnilateralHandler{
		Exists: func(n uint32) { exists <- n },
	}})
	_, err := c.Select(ctx, "INBOX", nil)
	require.NoError(t, err)
	drain(exists)
	idleCtx, stopIdle := context.WithCancel(ctx)
	idled := make(chan error, 1)
	go func() { idled <- c.Idle(idleCtx) }()

	a = startRelayChild(t, dir, bAddr)
	select {
	case n := <-exists:
		assert.Equal(t, uint32(1), n)
	case <-ctx.Done():
		t.Fatal("the queued message never arrived after the restart")
	}
	stopIdle()
	require.NoError(t, <-idled)
	a.stop(t)

	// The stopped A may not have removed the entry yet, but it must
	// have recorded the delivery, so that no later start sends it again.
	spool, err := queue.OpenSpool(dir)
	require.NoError(t, err)
	left, err := spool.List()
	require.NoError(t, err)
	for _, e := range left {
		assert.True(t, e.Done(), "entry %s still owes a delivery: %+v", e.ID, e.Recipients)
	}
	assert.Len(t, inbox(t, b, "bob", "bobpw"), 1, "delivered exactly once")
}

// -flush against a running server asks it, with SIGUSR1, to retry its
// deferred mail now rather than after the backoff (postqueue -f).
func TestRelay_FlushRunningServer(t *testing.T) {
	rc := relayConfig(t.TempDir(), peertest.FreeAddr(t))
	rc.MinBackoff, rc.MaxBackoff = time.Hour, time.Hour
	a := serverA(t, rc)
	submit(t, a.Addr("submission"), "bob@b.test")
	waitQueue(t, a.relay.queue, func(l []*queue.Entry) bool {
		return len(l) == 1 && l[0].Recipients[0].Attempts == 1
	})
	require.NoError(t, queueCmd{flush: true}.run(rc.QueueDir, io.Discard))
	waitQueue(t, a.relay.queue, func(l []*queue.Entry) bool {
		return len(l) == 1 && l[0].Recipients[0].Attempts == 2
	})
}
