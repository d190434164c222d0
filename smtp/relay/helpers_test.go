package relay

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/message"
	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/queue"
)

const testMsg = "From: alice@a.test\r\nTo: bob@b.test\r\nSubject: test\r\nMessage-ID: <1@a.test>\r\n\r\nHello Bob.\r\n.leading dot\r\n"

func openQueue(t testing.TB, dir string) *queue.Queue {
	t.Helper()
	s, err := queue.OpenSpool(dir)
	require.NoError(t, err)
	q, err := queue.Open(s)
	require.NoError(t, err)
	return q
}

// newRelay returns a relay on a fresh queue with retries in
// milliseconds.
func newRelay(t testing.TB, routes map[string]string) *Relay {
	t.Helper()
	return &Relay{
		Queue: openQueue(t, t.TempDir()), Hostname: "mx.a.test", Routes: routes,
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
	}
}

// run starts r and stops it when the test ends.
func run(t testing.TB, r *Relay) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); r.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
}

func enqueue(t testing.TB, q *queue.Queue, from string, msg string, rcpts ...queue.Recipient) string {
	t.Helper()
	id, err := q.Enqueue(&queue.Entry{From: from, Recipients: rcpts}, strings.NewReader(msg))
	require.NoError(t, err)
	return id
}

func rcpt(addr string, notify ...smtp.DSNNotify) queue.Recipient {
	return queue.Recipient{Addr: addr, Options: smtp.RcptOptions{Notify: notify}}
}

// waitQueue waits until cond holds for the queue's entries; each change
// of the queue wakes it.
func waitQueue(t testing.TB, q *queue.Queue, cond func([]*queue.Entry) bool) []*queue.Entry {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		changed := q.Changed()
		list := q.Entries()
		if cond(list) {
			return list
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("queue never reached the state; it holds %d entries", len(list))
		}
	}
}

func empty(list []*queue.Entry) bool { return len(list) == 0 }

// waitEmpty waits until q holds nothing, without copying its entries.
func waitEmpty(t testing.TB, q *queue.Queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		changed := q.Changed()
		if q.Len() == 0 {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("queue still holds %d entries", q.Len())
		}
	}
}

// report is a parsed delivery status notification (RFC 3464).
type report struct {
	header     message.Header
	mediaType  string
	reportType string
	message    message.Header   // per-message fields
	recipients []message.Header // per-recipient fields
	returnedAs string           // media type of the third part
	returned   string
}

// parseDSN reads a DSN with the message package.
func parseDSN(t testing.TB, data []byte) report {
	t.Helper()
	mr := message.NewReader(bytes.NewReader(data))
	root, err := mr.NextPart()
	require.NoError(t, err)
	rep := report{header: root.Header, mediaType: root.MediaType}
	for _, p := range root.Params {
		if strings.EqualFold(p.Name, "report-type") {
			rep.reportType = p.Value
		}
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if p.Parent != root {
			continue
		}
		switch p.MediaType {
		case "message/delivery-status":
			br := bufio.NewReader(p.Body())
			rep.message, err = message.ReadHeader(br)
			require.NoError(t, err)
			for {
				h, err := message.ReadHeader(br)
				require.NoError(t, err)
				if h.Len() == 0 {
					break
				}
				rep.recipients = append(rep.recipients, h)
			}
		case "message/rfc822", "text/rfc822-headers":
			rep.returnedAs = p.MediaType
			b, err := io.ReadAll(p.Raw())
			require.NoError(t, err)
			rep.returned = string(b)
		}
	}
	return rep
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

// fakeResolver answers from tables; a missing name is "not found".
type fakeResolver struct {
	mx    map[string][]*net.MX
	hosts map[string][]string
}

func (f fakeResolver) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	if mx, ok := f.mx[name]; ok {
		return mx, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (f fakeResolver) LookupHost(_ context.Context, name string) ([]string, error) {
	if h, ok := f.hosts[name]; ok {
		return h, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}
