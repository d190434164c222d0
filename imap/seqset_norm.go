package imap

import (
	"cmp"
	"slices"
	"sort"
)

// seqSpans is a sequence set in normal form, for the server: "*" replaced
// by the largest number in use, reversed ranges turned round (RFC 3501
// section 9: "4:2" is "2:4"), sorted, and overlapping or touching ranges
// merged. So a set of R ranges costs O(R log R) to normalise, O(log R) per
// membership test, and one pass over the mailbox to list, whatever the
// ranges repeat or overlap ("1:*,1:*,..." is one range).
type seqSpans []SeqRange

// normalize returns set in normal form, star being the largest number in
// use (the message count or the largest UID); with star 0, an empty
// mailbox, "*" matches nothing. "$" (RFC 5182) has no ranges here.
func normalize(set SeqSet, star uint32) seqSpans {
	spans := make(seqSpans, 0, len(set.Ranges))
	for _, r := range set.Ranges {
		lo, hi := orStar(r.Start, star), orStar(r.Stop, star)
		if lo > hi {
			lo, hi = hi, lo
		}
		if hi == 0 {
			continue
		}
		spans = append(spans, SeqRange{max(lo, 1), hi})
	}
	slices.SortFunc(spans, func(a, b SeqRange) int { return cmp.Compare(a.Start, b.Start) })
	out := spans[:0]
	for _, r := range spans {
		if k := len(out); k > 0 && uint64(r.Start) <= uint64(out[k-1].Stop)+1 {
			out[k-1].Stop = max(out[k-1].Stop, r.Stop)
			continue
		}
		out = append(out, r)
	}
	return out
}

// contains reports whether n is in the set, by binary search.
func (s seqSpans) contains(n uint32) bool {
	i := sort.Search(len(s), func(i int) bool { return s[i].Stop >= n })
	return i < len(s) && s[i].Start <= n
}

// last returns the largest number in the set, or 0.
func (s seqSpans) last() uint32 {
	if len(s) == 0 {
		return 0
	}
	return s[len(s)-1].Stop
}

// count returns how many numbers the set holds.
func (s seqSpans) count() int {
	n := 0
	for _, r := range s {
		n += int(r.Stop-r.Start) + 1
	}
	return n
}

// seqSpanCache holds the normal form of each sequence-set key of one
// SEARCH, made the first time a message is tested against it, so that
// the test costs O(log R) per message rather than a scan of the ranges.
// Keys are the sets' addresses in the criteria, which stay put while the
// command runs.
type seqSpanCache map[*SeqSet]seqSpans

// get returns the normal form of set, star being the largest number in
// use.
func (c *seqSpanCache) get(set *SeqSet, star uint32) seqSpans {
	if *c == nil {
		*c = make(seqSpanCache)
	}
	spans, ok := (*c)[set]
	if !ok {
		spans = normalize(*set, star)
		(*c)[set] = spans
	}
	return spans
}
