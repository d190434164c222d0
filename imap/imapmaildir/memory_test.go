package imapmaildir_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// lineReader yields a message of at least n octets of CRLF lines, made
// as it is read, so the test holds none of it.
type lineReader struct {
	left int64
	buf  []byte
}

func newLineReader(n int64) *lineReader {
	return &lineReader{left: n, buf: []byte("Subject: big\r\n\r\n")}
}

func (r *lineReader) Read(p []byte) (int, error) {
	if len(r.buf) == 0 {
		if r.left <= 0 {
			return 0, io.EOF
		}
		r.buf = []byte(strings.Repeat("0123456789abcdef", 4) + "=\r\n")
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	r.left -= int64(n)
	return n, nil
}

// heapPeak samples HeapInuse until stop is called and returns the peak.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return peak.Load()
	}
}

// fetchWhole reads FETCH 1 BODY.PEEK[] over a bare connection, hashing
// the literal as it arrives (so the client holds a buffer, not the
// message), and returns the hash.
func fetchWhole(ctx context.Context, addr string) ([]byte, error) {
	nc, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	if d, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(d)
	}
	br := bufio.NewReader(nc)
	if _, err := br.ReadString('\n'); err != nil { // greeting
		return nil, err
	}
	var sum []byte
	for _, cmd := range []string{"a LOGIN " + testUser + " " + testPassword, "b SELECT INBOX", "c FETCH 1 BODY.PEEK[]"} {
		if _, err := io.WriteString(nc, cmd+"\r\n"); err != nil {
			return nil, err
		}
		tag := cmd[:2]
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return nil, err
			}
			if strings.HasPrefix(line, tag) {
				if !strings.HasPrefix(line, tag+"OK") {
					return nil, fmt.Errorf("%s: %s", cmd, line)
				}
				break
			}
			open := strings.LastIndexByte(line, '{')
			if !strings.HasPrefix(line, "* 1 FETCH") || open < 0 {
				continue
			}
			n, err := strconv.ParseInt(strings.TrimSuffix(line[open+1:], "}\r\n"), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("literal in %q: %v", line, err)
			}
			h := sha256.New()
			if _, err := io.CopyN(h, br, n); err != nil {
				return nil, err
			}
			sum = h.Sum(nil)
		}
	}
	return sum, nil
}

// TestEightFetchesOf60MB_Issue13: eight sessions fetching BODY.PEEK[] of
// a 60 MB message at once (which made the old store peak at 869 MiB)
// get its octets, and the heap in use meanwhile grows far less than one
// copy of it: the message is read from its file, not held.
func TestEightFetchesOf60MB_Issue13(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 60 MB")
	}
	dir := t.TempDir()
	ctx := testContext(t)
	store, err := maildir.OpenStore(inboxRoot(dir), nil)
	require.NoError(t, err)
	inbox, err := store.Mailbox(ctx, imap.Inbox)
	require.NoError(t, err)
	h := sha256.New()
	_, _, err = inbox.Append(ctx, io.TeeReader(newLineReader(60<<20), h), nil, time.Time{})
	require.NoError(t, err)
	want := h.Sum(nil)
	require.NoError(t, store.Close())
	addr := serve(t, dir)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := heapPeak()
	sums := make([][]byte, 8)
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums[i], errs[i] = fetchWhole(ctx, addr)
		}()
	}
	wg.Wait()
	peak := stop()
	for i := range 8 {
		require.NoError(t, errs[i], "session %d", i)
		require.True(t, bytes.Equal(want, sums[i]), "session %d read other octets", i)
	}
	grew := int64(peak) - int64(before.HeapInuse)
	t.Logf("heap in use grew by %.1f MiB at its peak (8 sessions, a 60 MiB message)", float64(grew)/(1<<20))
	assert.Less(t, grew, int64(64<<20))
}
