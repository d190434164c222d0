package imap

import (
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNormalize_RFC3501_9 checks the normal form of sequence sets:
// "*" resolved, reversed ranges ("4:2" is "2:4") turned round, overlapping
// and touching ranges merged, sorted.
func TestNormalize_RFC3501_9(t *testing.T) {
	tests := []struct {
		set  string
		star uint32
		want seqSpans
	}{
		{"1:*", 10, seqSpans{{1, 10}}},
		{"4:2", 10, seqSpans{{2, 4}}},
		{"*:4", 10, seqSpans{{4, 10}}},
		{"*", 10, seqSpans{{10, 10}}},
		{"5,1,3", 10, seqSpans{{1, 1}, {3, 3}, {5, 5}}},
		{"1,2,3,7:9,8,4", 10, seqSpans{{1, 4}, {7, 9}}},
		{"1:*,1:*,1:*,2:3", 10, seqSpans{{1, 10}}},
		{"10:20,1:5,4:12", 30, seqSpans{{1, 20}}},
		{"3:1,6:4", 10, seqSpans{{1, 6}}},
		{"4294967295,1:4294967295", 7, seqSpans{{1, 4294967295}}},
		{"4294967295,4294967294", 7, seqSpans{{4294967294, 4294967295}}},
		{"*", 0, seqSpans{}}, // "*" in an empty mailbox
		{"5:*", 0, seqSpans{{1, 5}}},
		{"$", 10, seqSpans{}}, // RFC 5182: no ranges of its own
	}
	for _, tt := range tests {
		set, err := ParseSeqSet(tt.set)
		require.NoError(t, err, tt.set)
		got := normalize(set, tt.star)
		assert.Equal(t, tt.want, got, "%s with * = %d", tt.set, tt.star)
	}
}

// TestSeqSpansContains checks membership by binary search against the
// linear SeqSet.Contains over the same sets.
func TestSeqSpansContains(t *testing.T) {
	for _, s := range []string{"1:*", "4:2", "2,4,6:8,20:*", "9:7,1,30:25", "*", "3"} {
		set, err := ParseSeqSet(s)
		require.NoError(t, err)
		spans := normalize(set, 27)
		for n := uint32(0); n <= 40; n++ {
			assert.Equal(t, set.Contains(n, 27), spans.contains(n), "%d in %s", n, s)
		}
	}
	assert.False(t, seqSpans(nil).contains(1))
	assert.Equal(t, uint32(0), seqSpans(nil).last())
	assert.Equal(t, 7, seqSpans{{1, 4}, {7, 9}}.count())
}

// repeatedSet is "1:*,1:*,..." with n ranges, the attack on resolve.
func repeatedSet(t testing.TB, n int) SeqSet {
	set, err := ParseSeqSet(strings.TrimSuffix(strings.Repeat("1:*,", n), ","))
	require.NoError(t, err)
	return set
}

// TestResolveRepeatedRanges_RFC3501_6_4_8 checks that resolve does not
// expand a set range by range: 2,000 copies of "1:*" over 2,000 messages
// name each message once, and cost memory in proportion to the ranges
// and the result, not to their product (which was 16 MB here).
func TestResolveRepeatedRanges_RFC3501_6_4_8(t *testing.T) {
	s := &selected{}
	for i := uint32(1); i <= 2000; i++ {
		s.uids = append(s.uids, i*3)
	}
	set := repeatedSet(t, 2000)
	for _, byUID := range []bool{false, true} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got, err := s.resolve(set, byUID)
		runtime.ReadMemStats(&after)
		require.NoError(t, err)
		assert.Equal(t, s.uids, got, "byUID %v", byUID)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(256<<10), "byUID %v", byUID)
	}
}

// TestResolve_RFC3501_6_4_8 checks what resolve returns for sequence
// numbers and UIDs: ascending, once each, "*" the last, and a sequence
// number past the last message an error while a UID not in use is not.
func TestResolve_RFC3501_6_4_8(t *testing.T) {
	s := &selected{uids: []uint32{3, 5, 9, 10, 20}}
	tests := []struct {
		set   string
		byUID bool
		want  []uint32
		bad   bool
	}{
		{"1:*", false, []uint32{3, 5, 9, 10, 20}, false},
		{"4:2", false, []uint32{5, 9, 10}, false},
		{"5,1,1,2", false, []uint32{3, 5, 20}, false},
		{"*", false, []uint32{20}, false},
		{"6", false, nil, true},
		{"1:6", false, nil, true},
		{"1:*", true, []uint32{3, 5, 9, 10, 20}, false},
		{"4:9,9:5,21:*", true, []uint32{5, 9, 20}, false},
		{"*:15", true, []uint32{20}, false},
		{"11:19", true, nil, false},
		{"100", true, []uint32{20}[:0], false},
	}
	for _, tt := range tests {
		set, err := ParseSeqSet(tt.set)
		require.NoError(t, err)
		got, err := s.resolve(set, tt.byUID)
		if tt.bad {
			assert.ErrorIs(t, err, errBadArgs, tt.set)
			continue
		}
		require.NoError(t, err, tt.set)
		assert.Equal(t, len(tt.want), len(got), tt.set)
		if len(tt.want) > 0 {
			assert.Equal(t, tt.want, got, tt.set)
		}
	}
	_, err := (&selected{}).resolve(SeqSetRange(1, 0), false)
	assert.Error(t, err, "no messages: every sequence number is invalid")
}
