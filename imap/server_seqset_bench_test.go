package imap_test

import (
	"strconv"
	"strings"
	"testing"
)

// seqSetWorkloads are the sequence sets the set benchmarks compare over
// 10,000 messages: one "1:*", the attack's 10,000 copies of it (at the
// MaxSeqRanges limit), and 10,000 single numbers.
func seqSetWorkloads() []struct{ name, set string } {
	singles := make([]string, 10000)
	for i := range singles {
		singles[i] = strconv.Itoa(i + 1)
	}
	return []struct{ name, set string }{
		{"1:*", "1:*"},
		{"10000x1:*", strings.TrimSuffix(strings.Repeat("1:*,", 10000), ",")},
		{"10000singles", strings.Join(singles, ",")},
	}
}

// BenchmarkServerSeqSetFetch measures FETCH FLAGS over a 10,000-message
// imapmem mailbox (RFC 3501 section 6.4.5) by the sets of
// seqSetWorkloads: with sets worked on as ranges, allocations depend on
// the ranges and the messages, not their product.
func BenchmarkServerSeqSetFetch(b *testing.B) {
	nc, br := benchServer(b, 10000)
	for _, w := range seqSetWorkloads() {
		b.Run(w.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				benchCmd(b, nc, br, "f"+strconv.Itoa(i), "FETCH "+w.set+" FLAGS")
			}
		})
	}
}

// BenchmarkServerSeqSetSearch is BenchmarkServerSeqSetFetch for SEARCH
// with the set as its key (RFC 3501 section 6.4.4): membership is a
// binary search in the normalised set.
func BenchmarkServerSeqSetSearch(b *testing.B) {
	nc, br := benchServer(b, 10000)
	for _, w := range seqSetWorkloads() {
		b.Run(w.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				benchCmd(b, nc, br, "s"+strconv.Itoa(i), "SEARCH "+w.set)
			}
		})
	}
}
