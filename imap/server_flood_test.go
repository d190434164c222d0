package imap_test

import (
	"bufio"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestPreLoginLiteralFlood_RFC7888_4 is the attack on the command budget,
// ten times over: ten connections, before login, each send one ID command
// stuffed with 60,000-byte non-synchronizing literals (up to 12 MB each).
// The server, whose heap is sampled in-process during the flood, must
// grow by less than 64 MiB, and every connection must get BYE or BAD. Literals
// used to reset the budget, so each command was read whole into memory
// and answered OK.
func TestPreLoginLiteralFlood_RFC7888_4(t *testing.T) {
	addr := limitServer(t, 0, nil)
	// The heap left by earlier tests of the package is not the flood's:
	// collect it and count from what is live now.
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	const conns, literals, size = 10, 200, 60000
	var peak atomic.Uint64
	done := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()

	literal := []byte(`"k" {60000+}` + "\r\n" + strings.Repeat("v", size) + " ")
	answers := make([]string, conns)
	var wg sync.WaitGroup
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				answers[i] = err.Error()
				return
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(30 * time.Second)) // no hang
			go func() {
				if _, err := nc.Write([]byte("a ID (")); err != nil {
					return
				}
				for j := 0; j < literals; j++ {
					if _, err := nc.Write(literal); err != nil {
						return // closed by the server: the point
					}
				}
				_, _ = nc.Write([]byte(`"k" "v")` + "\r\n"))
			}()
			br := bufio.NewReader(nc)
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					answers[i] = "no answer: " + err.Error()
					return
				}
				if strings.HasPrefix(line, "* BYE") || strings.HasPrefix(line, "a ") {
					answers[i] = strings.TrimSpace(line)
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(done)
	sampler.Wait()
	for i, a := range answers {
		assert.True(t, strings.HasPrefix(a, "* BYE") || strings.HasPrefix(a, "a BAD"), "connection %d: %s", i, a)
	}
	grown := peak.Load() - min(peak.Load(), before.HeapInuse)
	t.Logf("HeapInuse before the flood %.1f MiB, peak growth during it %.1f MiB",
		float64(before.HeapInuse)/(1<<20), float64(grown)/(1<<20))
	assert.Less(t, grown, uint64(64<<20), "peak HeapInuse growth")
}
