package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/smtp"
)

// The load the issue asks for: 50 SMTP clients and 50 IMAP clients at
// once, half of the IMAP clients in IDLE and half fetching.
const (
	loadSMTPClients = 50
	loadIMAPClients = 50
	loadPerClient   = 4 // messages each SMTP client sends in one session
	loadTotal       = loadSMTPClients * loadPerClient
)

func loadMessage(id string) string {
	return "From: carol@example.org\r\nTo: alice@example.test\r\nSubject: load " + id + "\r\n\r\nbody of " + id + "\r\n"
}

// TestLoad runs the clients against one server over 127.0.0.1, then
// checks that nothing failed, that every IDLE session was told of every
// message and every fetching session read each one whole, and that
// after Shutdown no goroutine is left.
func TestLoad(t *testing.T) {
	t.Run("memory", func(t *testing.T) { testLoad(t, "") })
	t.Run("maildir", func(t *testing.T) { testLoad(t, t.TempDir()) })
}

func testLoad(t *testing.T, maildir string) {
	before := runtime.NumGoroutine()
	m, err := Start(Config{SMTP: "127.0.0.1:0", IMAP: "127.0.0.1:0",
		Domain: "example.test", UserList: "alice:secret", Maildir: maildir})
	require.NoError(t, err)
	// A guard against a hang, not a measurement.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var clients []*imap.Client
	var wg sync.WaitGroup
	errs := make(chan error, loadSMTPClients+loadIMAPClients)
	var sent atomic.Bool
	seenBy := make([]map[string]bool, loadIMAPClients)
	for i := range loadIMAPClients {
		idle := i%2 == 0
		reached := make(chan struct{})
		var once sync.Once
		var opts *imap.Options
		if idle {
			opts = &imap.Options{Unilateral: imap.UnilateralHandler{Exists: func(n uint32) {
				if n >= loadTotal {
					once.Do(func() { close(reached) })
				}
			}}}
		}
		c, err := imap.Dial(ctx, m.Addr("imap"), opts)
		require.NoError(t, err)
		clients = append(clients, c)
		require.NoError(t, c.Login(ctx, "alice", "secret"))
		_, err = c.Select(ctx, "INBOX", nil)
		require.NoError(t, err)
		wg.Add(1)
		if idle {
			go func() { defer wg.Done(); errs <- loadIdle(ctx, c, reached) }()
		} else {
			seenBy[i] = map[string]bool{}
			go func() { defer wg.Done(); errs <- loadFetch(ctx, c, &sent, seenBy[i]) }()
		}
	}

	var senders sync.WaitGroup
	for g := range loadSMTPClients {
		senders.Add(1)
		go func() { defer senders.Done(); errs <- loadSend(ctx, m.Addr("smtp"), g) }()
	}
	senders.Wait()
	sent.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for i, seen := range seenBy {
		if seen != nil {
			require.Len(t, seen, loadTotal, "fetching client %d", i)
		}
	}
	for _, c := range clients {
		require.NoError(t, c.Logout(ctx))
		c.Close()
	}
	require.NoError(t, m.Shutdown(ctx))
	requireGoroutines(t, before)
}

// loadSend delivers loadPerClient messages in one SMTP session.
func loadSend(ctx context.Context, addr string, g int) error {
	c, err := smtp.Dial(ctx, addr, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello(ctx, ""); err != nil {
		return err
	}
	for i := range loadPerClient {
		msg := loadMessage(fmt.Sprintf("%02d-%d", g, i))
		if err := c.Send(ctx, "carol@example.org", []string{"alice@example.test"}, strings.NewReader(msg), nil); err != nil {
			return fmt.Errorf("sender %d message %d: %w", g, i, err)
		}
	}
	return c.Quit(ctx)
}

// loadIdle idles (RFC 2177) until EXISTS says every message arrived.
func loadIdle(ctx context.Context, c *imap.Client, reached <-chan struct{}) error {
	idleCtx, stop := context.WithCancel(ctx)
	go func() {
		select {
		case <-reached:
		case <-ctx.Done():
		}
		stop()
	}()
	if err := c.Idle(idleCtx); err != nil {
		return err
	}
	if n := c.Mailbox().NumMessages; n != loadTotal {
		return fmt.Errorf("IDLE session ended with %d messages, want %d", n, loadTotal)
	}
	return nil
}

// loadFetch follows the mailbox with NOOP and fetches each new message
// once, checking its bytes, until the senders are done and it has seen
// every message.
func loadFetch(ctx context.Context, c *imap.Client, sent *atomic.Bool, seen map[string]bool) error {
	var have uint32
	for {
		done := sent.Load()
		if err := c.Noop(ctx); err != nil {
			return fmt.Errorf("fetching client after %d of %d messages: %w", have, loadTotal, err)
		}
		n := c.Mailbox().NumMessages
		if n > have {
			section := &imap.FetchItemBodySection{Peek: true}
			msgs, err := c.Fetch(ctx, imap.SeqSetRange(have+1, n), &imap.FetchOptions{
				UID: true, Flags: true, BodySection: []*imap.FetchItemBodySection{section},
			}).Collect()
			if err != nil {
				return err
			}
			for _, msg := range msgs {
				if err := checkLoadMessage(msg.FindBodySection(section), seen); err != nil {
					return err
				}
			}
			have = n
		}
		if done && have == loadTotal {
			return nil
		}
	}
}

// checkLoadMessage checks a fetched message against what was sent and
// records its id; a message seen twice is an error.
func checkLoadMessage(body []byte, seen map[string]bool) error {
	_, rest, ok := strings.Cut(string(body), "\r\nSubject: load ")
	if !ok {
		return fmt.Errorf("not a load message:\n%s", body)
	}
	id, _, _ := strings.Cut(rest, "\r\n")
	if !strings.HasSuffix(string(body), "\r\n"+loadMessage(id)) || !strings.HasPrefix(string(body), "Return-Path: <carol@example.org>\r\n") {
		return fmt.Errorf("message %s altered:\n%s", id, body)
	}
	if seen[id] {
		return fmt.Errorf("message %s fetched twice", id)
	}
	seen[id] = true
	return nil
}

// requireGoroutines waits, within a bound, until no more goroutines run
// than before the server started; on failure it shows what still runs.
func requireGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			var b strings.Builder
			_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
			t.Fatalf("%d goroutines after Shutdown, %d before:\n%s", runtime.NumGoroutine(), before, b.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
