package relay

import (
	"context"
	"errors"
	"fmt"
	"io"
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

	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/queue"
	"github.com/mailwire/mailwire/smtp/smtptest"
)

// The crash tests run the queue and relay in a child process (this test
// binary again, see TestMain) that kills itself with SIGKILL right after
// a chosen store operation: the moment between two steps of enqueueing
// or delivery where a real crash would hit hardest.
const crashEnv = "MAILWIRE_RELAY_CRASH"

func TestMain(m *testing.M) {
	if spec := os.Getenv(crashEnv); spec != "" {
		crashChild(spec)
		os.Exit(3) // not killed: the parent reports it
	}
	os.Exit(m.Run())
}

// killingStore kills the process after the n'th completed call of op.
type killingStore struct {
	queue.Store
	op string
	n  int

	mu    sync.Mutex
	calls map[string]int
}

func (k *killingStore) after(op string, err error) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls[op]++
	if err == nil && op == k.op && k.calls[op] == k.n {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way
	}
	return err
}

func (k *killingStore) Create(e *queue.Entry, msg io.Reader) error {
	return k.after("create", k.Store.Create(e, msg))
}
func (k *killingStore) Update(e *queue.Entry) error { return k.after("update", k.Store.Update(e)) }
func (k *killingStore) Remove(id string) error      { return k.after("remove", k.Store.Remove(id)) }

// crashChild runs with spec "dir|kill-op|kill-n|routes|rcpt": it opens the
// spool, queues a message for rcpt and relays until it kills itself.
func crashChild(spec string) {
	f := strings.Split(spec, "|")
	spool, err := queue.OpenSpool(f[0])
	if err != nil {
		panic(err)
	}
	n, _ := strconv.Atoi(f[2])
	q, err := queue.Open(&killingStore{Store: spool, op: f[1], n: n, calls: map[string]int{}})
	if err != nil {
		panic(err)
	}
	routes := map[string]string{}
	for _, kv := range strings.Split(f[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		routes[k] = v
	}
	r := &Relay{Queue: q, Hostname: "mx.a.test", Routes: routes, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}
	go r.Run(context.Background())
	if _, err := q.Enqueue(&queue.Entry{From: "alice@a.test", Recipients: []queue.Recipient{{Addr: f[4]}}}, strings.NewReader(testMsg)); err != nil {
		panic(err)
	}
	time.Sleep(20 * time.Second)
}

// RFC 5321 section 6.1: a queued message survives SIGKILL at every step,
// and is delivered, and bounced, exactly once.
func TestRelay_RFC5321_6_1_SIGKILLExactlyOnce(t *testing.T) {
	reject := smtp.NewReply(550, smtp.EnhancedCode{5, 1, 1}, "No such user")
	for _, tc := range []struct {
		name      string
		op        string
		n         int
		rcpt      string
		delivered int // at b.test
		bounced   int // at a.test
	}{
		{"after the message was queued", "create", 1, "bob@b.test", 1, 0},
		{"after the delivery was recorded", "update", 1, "bob@b.test", 1, 0},
		{"after the entry was removed", "remove", 1, "bob@b.test", 1, 0},
		{"after the failure was recorded", "update", 1, "nobody@b.test", 0, 1},
		{"after the DSN was queued", "create", 2, "nobody@b.test", 0, 1},
		{"after the DSN was recorded", "update", 2, "nobody@b.test", 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := smtptest.NewServer(t, smtptest.RejectRecipient("nobody@b.test", reject))
			a := smtptest.NewServer(t)
			dir := t.TempDir()
			routes := "b.test=" + b.Addr + ",a.test=" + a.Addr
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%s|%d|%s|%s", crashEnv, dir, tc.op, tc.n, routes, tc.rcpt))
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			require.True(t, errors.As(err, &exit), "child: %v\n%s", err, out)
			ws := exit.Sys().(syscall.WaitStatus)
			require.True(t, ws.Signaled() && ws.Signal() == syscall.SIGKILL, "child was not killed: %v\n%s", err, out)

			// Restart: a new queue on the same spool, a new relay.
			r := &Relay{Queue: openQueue(t, dir), Hostname: "mx.a.test",
				Routes: map[string]string{"b.test": b.Addr, "a.test": a.Addr}, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}
			run(t, r)
			waitQueue(t, r.Queue, empty)
			assert.Len(t, b.Messages(), tc.delivered, "deliveries")
			assert.Len(t, a.Messages(), tc.bounced, "DSNs")
			for _, m := range b.Messages() {
				assert.Equal(t, testMsg, string(m.Data))
			}
		})
	}
}
