package mda

import (
	"context"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/mailwire/mailwire/smtp"
)

// lines is a message of n lines of 78 octets and CRLF, made as it is read.
type lines struct{ left int }

const line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdef\r\n"

func (l *lines) Read(p []byte) (int, error) {
	n := 0
	for l.left > 0 && len(p)-n >= len(line) {
		n += copy(p[n:], line)
		l.left--
	}
	if n == 0 && l.left == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// discard counts what each copy had and throws it away.
type discard struct{ sizes []int64 }

func (d *discard) Deliver(_ context.Context, _ string, r io.Reader) error {
	n, err := io.Copy(io.Discard, r)
	d.sizes = append(d.sizes, n)
	return err
}

// peakHeap samples HeapAlloc until stop is closed and returns the most
// it saw.
func peakHeap(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-stop:
				out <- peak
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return out
}

// TestData_Streams50MB: a 50 MB message to two users goes through the
// Agent (client and server in this process) with the heap never more
// than 8 MiB above where it started: Data streams it to the spool file
// and each copy is read back from there, nothing holds it whole.
func TestData_Streams50MB(t *testing.T) {
	const n = 50 << 20 / len(line)
	box := &discard{}
	a := &Agent{Domain: "example.test", Users: testUsers(), Mailboxes: box, SpoolDir: t.TempDir()}
	addr := servertest.Serve(t, &smtp.Server{Domain: "example.test", Backend: a, MaxMessageBytes: 64 << 20})

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	stop := make(chan struct{})
	peak := peakHeap(stop)
	err := smtp.SendMail(context.Background(), addr, nil, "carol@example.org",
		[]string{"alice@example.test", "bob@example.test"}, &lines{left: n}, nil)
	close(stop)
	require.NoError(t, err)
	growth := int64(<-peak) - int64(base)
	t.Logf("heap: %d KiB at start, peak %+d KiB", base>>10, growth>>10)
	require.Len(t, box.sizes, 2)
	for _, size := range box.sizes {
		require.Greater(t, size, int64(n*len(line)), "the whole message and its trace fields")
		require.Less(t, size, int64(n*len(line)+1024))
	}
	require.Less(t, growth, int64(8<<20), "heap grew with the message")
	requireEmpty(t, a.SpoolDir)
}
