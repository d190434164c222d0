package imapmem

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// BenchmarkStoreMemory measures what the store keeps per message beyond
// the message's own bytes (the parsed structure FETCH and SEARCH use, once
// it has been needed, the flags, the bookkeeping), as live heap after a
// collection. It stores the
// .eml files of MAILWIRE_BENCH_CORPUS (../shared/bench's gencorpus writes
// realistic ones) or else the server's sample messages.
func BenchmarkStoreMemory(b *testing.B) {
	dir := os.Getenv("MAILWIRE_BENCH_CORPUS")
	if dir == "" {
		dir = "../testdata/server/messages"
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) == 0 {
		b.Fatalf("no .eml files in %s", dir)
	}
	msgs := make([][]byte, len(files))
	var size int64
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		msgs[i] = data
		size += int64(len(data))
	}
	var before, after runtime.MemStats
	for b.Loop() {
		store := New()
		store.AddUser("alice", "pass")
		runtime.GC()
		runtime.ReadMemStats(&before)
		for _, data := range msgs {
			if _, err := store.Append("alice", "INBOX", data, nil, time.Time{}); err != nil {
				b.Fatal(err)
			}
		}
		// Structures are parsed when first needed; count them as a
		// server that has answered FETCH BODYSTRUCTURE would hold them.
		for _, m := range store.users["alice"].mailboxes["INBOX"].msgs {
			m.st.get(m.data)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(store)
	}
	// The message bytes are the caller's, kept not copied: what grew is
	// the store's own.
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(len(msgs)), "B/msg")
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(size)*100, "%-of-data")
}
