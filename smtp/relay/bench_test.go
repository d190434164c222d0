package relay

import (
	"context"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/mailwire/mailwire/smtp"
)

// discard is a sink backend that counts and drops messages.
type discard struct{ n atomic.Int64 }

func (d *discard) NewSession(context.Context, *smtp.Conn) (smtp.Session, error) {
	return discardSession{d}, nil
}

type discardSession struct{ d *discard }

func (discardSession) Mail(context.Context, string, *smtp.MailOptions) error { return nil }
func (discardSession) Rcpt(context.Context, string, *smtp.RcptOptions) error { return nil }
func (s discardSession) Data(ctx context.Context, r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	s.d.n.Add(1)
	return err
}
func (discardSession) Reset(ctx context.Context)        {}
func (discardSession) Logout(ctx context.Context) error { return nil }

// BenchmarkRelay_Throughput drains b.N queued messages (4 KiB each, one
// recipient) from an on-disk spool to an SMTP sink over loopback; the
// msgs/s metric is the relay's throughput, fsyncs of every state change
// included.
func BenchmarkRelay_Throughput(b *testing.B) {
	sink := &discard{}
	addr := servertest.Serve(b, &smtp.Server{Domain: "sink.test", Backend: sink})

	r := newRelay(b, map[string]string{"b.test": addr})
	msg := testMsg + strings.Repeat("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n", 64)
	for range b.N {
		enqueue(b, r.Queue, "alice@a.test", msg, rcpt("bob@b.test"))
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	run(b, r)
	waitEmpty(b, r.Queue)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
	if got := sink.n.Load(); got != int64(b.N) {
		b.Fatalf("sink got %d of %d", got, b.N)
	}
}
