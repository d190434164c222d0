package imap

import (
	"errors"
	"strconv"
	"strings"
)

// SeqRange is an inclusive range of message sequence numbers or UIDs. Zero
// stands for "*", the largest number in use (RFC 3501 section 9,
// seq-number).
type SeqRange struct {
	Start, Stop uint32
}

// SeqSet is a sequence-set (RFC 3501 section 9) or a uid-set (RFC 4315
// section 4), or "$", the result saved by SEARCH RETURN (SAVE) (RFC 5182
// section 2.1).
type SeqSet struct {
	Ranges []SeqRange
	Saved  bool // "$"
}

// ErrBadSeqSet reports a malformed sequence set, for example "0" or "1:".
var ErrBadSeqSet = errors.New("imap: malformed sequence set")

// SeqSetNum returns the set holding the given numbers.
func SeqSetNum(nums ...uint32) SeqSet {
	var s SeqSet
	for _, n := range nums {
		s.AddNum(n)
	}
	return s
}

// SeqSetRange returns the set start:stop; 0 stands for "*".
func SeqSetRange(start, stop uint32) SeqSet {
	var s SeqSet
	s.AddRange(start, stop)
	return s
}

// SavedSet is "$" (RFC 5182).
func SavedSet() SeqSet { return SeqSet{Saved: true} }

// AddNum adds n, merging with the last range when they touch so that long
// runs of consecutive numbers stay one range.
func (s *SeqSet) AddNum(n uint32) { s.AddRange(n, n) }

// AddRange adds start:stop.
func (s *SeqSet) AddRange(start, stop uint32) {
	if k := len(s.Ranges); k > 0 && start != 0 && stop != 0 {
		last := &s.Ranges[k-1]
		if last.Start != 0 && last.Stop != 0 && last.Start <= last.Stop && start <= stop &&
			start >= last.Start && start <= last.Stop+1 {
			last.Stop = max(last.Stop, stop)
			return
		}
	}
	s.Ranges = append(s.Ranges, SeqRange{start, stop})
}

// IsEmpty reports whether the set holds nothing.
func (s SeqSet) IsEmpty() bool { return len(s.Ranges) == 0 && !s.Saved }

// Contains reports whether n is in the set; "*" matches only when star,
// the largest number in use, is given.
func (s SeqSet) Contains(n, star uint32) bool {
	for _, r := range s.Ranges {
		lo, hi := r.Start, r.Stop
		if lo == 0 {
			lo = star
		}
		if hi == 0 {
			hi = star
		}
		if lo > hi {
			lo, hi = hi, lo // RFC 3501 section 9: 4:2 is 2:4
		}
		if n >= lo && n <= hi {
			return true
		}
	}
	return false
}

// Nums lists the numbers in the set, or reports false when it holds "*"
// or "$" and so cannot be listed without the mailbox.
func (s SeqSet) Nums() ([]uint32, bool) {
	if s.Saved {
		return nil, false
	}
	var out []uint32
	for _, r := range s.Ranges {
		if r.Start == 0 || r.Stop == 0 {
			return nil, false
		}
		lo, hi := min(r.Start, r.Stop), max(r.Start, r.Stop)
		for n := lo; ; n++ {
			out = append(out, n)
			if n == hi {
				break
			}
		}
	}
	return out, true
}

// String formats the set as on the wire: "1:3,5,7:*" or "$".
func (s SeqSet) String() string {
	if s.Saved {
		return "$"
	}
	return string(s.AppendTo(nil))
}

// AppendTo appends the wire form to b.
func (s SeqSet) AppendTo(b []byte) []byte {
	if s.Saved {
		return append(b, '$')
	}
	for i, r := range s.Ranges {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSeqNum(b, r.Start)
		if r.Stop != r.Start {
			b = append(b, ':')
			b = appendSeqNum(b, r.Stop)
		}
	}
	return b
}

func appendSeqNum(b []byte, n uint32) []byte {
	if n == 0 {
		return append(b, '*')
	}
	return strconv.AppendUint(b, uint64(n), 10)
}

// ParseSeqSet parses a sequence-set (RFC 3501 section 9), including "$"
// (RFC 5182). Zero is not a valid number: "*" is written as such.
func ParseSeqSet(s string) (SeqSet, error) {
	if s == "$" {
		return SavedSet(), nil
	}
	if s == "" {
		return SeqSet{}, ErrBadSeqSet
	}
	set := SeqSet{Ranges: make([]SeqRange, 0, strings.Count(s, ",")+1)}
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(part, ":")
		a, err := parseSeqNum(lo)
		if err != nil {
			return SeqSet{}, err
		}
		b := a
		if isRange {
			if b, err = parseSeqNum(hi); err != nil {
				return SeqSet{}, err
			}
		}
		set.Ranges = append(set.Ranges, SeqRange{a, b})
	}
	return set, nil
}

// parseSeqNum parses seq-number: nz-number / "*".
func parseSeqNum(s string) (uint32, error) {
	if s == "*" {
		return 0, nil
	}
	if s == "" || s[0] == '0' {
		return 0, ErrBadSeqSet
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, ErrBadSeqSet
		}
		n = n*10 + uint64(c-'0')
		if n > 1<<32-1 {
			return 0, ErrBadSeqSet
		}
	}
	return uint32(n), nil
}
