package message

import (
	"bufio"
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// poisonNested returns a message of n multiparts, each the only part of
// the one around it, with a text part innermost.
func poisonNested(n int) string {
	var b strings.Builder
	b.WriteString("Subject: nested\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\ndeep text\r\n")
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return b.String()
}

// poisonRFC822 returns n message/rfc822 entities, each in the one before.
func poisonRFC822(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString("Content-Type: message/rfc822\r\n\r\n")
	}
	b.WriteString("Subject: inner\r\n\r\ndeep text\r\n")
	return b.String()
}

// poisonParts returns a multipart message of n entities in all: the root
// and n-1 text parts.
func poisonParts(n int) string {
	var b strings.Builder
	b.WriteString("Subject: parts\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "--b\r\n\r\npart %d\r\n", i)
	}
	b.WriteString("--b--\r\n")
	return b.String()
}

// poisonFields returns a message whose header has n fields, Subject
// first, and whose last field is a second Subject.
func poisonFields(n int) string {
	var b strings.Builder
	b.WriteString("Subject: first\r\n")
	for i := 2; i < n; i++ {
		fmt.Fprintf(&b, "X-F: %d\r\n", i)
	}
	b.WriteString("Subject: last\r\n\r\nbody\r\n")
	return b.String()
}

// innermost follows part 1 down to a leaf.
func innermost(s *Structure) (*Structure, int) {
	depth := 0
	for {
		switch {
		case len(s.Parts) > 0:
			s = s.Parts[0]
		case s.Message != nil:
			s = s.Message
		default:
			return s, depth
		}
		depth++
	}
}

// TestReadStructure_MaxDepth checks the nesting limit at the limit and one
// past it: past it the entity that would nest too deep keeps its type and
// has one opaque part that spans its body (RFC 2046 sections 5.1 and 5.2
// set no depth; Dovecot truncates the same way).
func TestReadStructure_MaxDepth(t *testing.T) {
	for _, tc := range []struct {
		name     string
		msg      string
		lim      Limits
		cut      bool
		leafType string
		depth    int
	}{
		{"multipart at default", poisonNested(DefaultMaxDepth), Limits{}, false, "text/plain", DefaultMaxDepth},
		{"multipart past default", poisonNested(DefaultMaxDepth + 1), Limits{}, true, opaqueType, DefaultMaxDepth + 1},
		{"multipart 1000", poisonNested(1000), Limits{}, true, opaqueType, DefaultMaxDepth + 1},
		{"multipart at 3", poisonNested(3), Limits{MaxDepth: 3}, false, "text/plain", 3},
		{"multipart past 3", poisonNested(4), Limits{MaxDepth: 3}, true, opaqueType, 4},
		{"rfc822 at 3", poisonRFC822(3), Limits{MaxDepth: 3}, false, "text/plain", 3},
		{"rfc822 past 3", poisonRFC822(4), Limits{MaxDepth: 3}, true, opaqueType, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ReadStructureLimits(strings.NewReader(tc.msg), tc.lim)
			require.NoError(t, err)
			assert.Equal(t, tc.cut, s.Truncated)
			leaf, depth := innermost(s)
			assert.Equal(t, tc.leafType, leaf.MediaType())
			assert.Equal(t, tc.depth, depth)
			assert.Equal(t, int64(len(tc.msg)), s.End)
			if tc.cut {
				// The opaque part holds what was not parsed, from the
				// body of its container on.
				body := tc.msg[leaf.BodyOffset:leaf.End]
				assert.Contains(t, body, "deep text")
				assert.Equal(t, leaf.HeaderOffset, leaf.BodyOffset)
			}
		})
	}
}

// TestReader_MaxDepthStillFailsWithoutTruncate keeps NextPart's error for
// callers that did not ask for truncation.
func TestReader_MaxDepthStillFailsWithoutTruncate(t *testing.T) {
	r := NewReader(strings.NewReader(poisonNested(DefaultMaxDepth + 1)))
	var err error
	for err == nil {
		_, err = r.NextPart()
	}
	require.ErrorIs(t, err, ErrLimit)
}

// TestReadStructure_MaxParts checks the part limit at the limit and one
// past it: past it the entity that would be one too many becomes an
// opaque part that runs to the end of the input.
func TestReadStructure_MaxParts(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		lim  Limits
		cut  bool
	}{
		{"at default", DefaultMaxParts, Limits{}, false},
		{"past default", DefaultMaxParts + 1, Limits{}, true},
		{"at 5", 5, Limits{MaxParts: 5}, false},
		{"past 5", 6, Limits{MaxParts: 5}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := poisonParts(tc.n)
			s, err := ReadStructureLimits(strings.NewReader(msg), tc.lim)
			require.NoError(t, err)
			assert.Equal(t, tc.cut, s.Truncated)
			max := max(tc.lim.MaxParts, 0)
			if max == 0 {
				max = DefaultMaxParts
			}
			require.Len(t, s.Parts, min(tc.n-1, max))
			last := s.Parts[len(s.Parts)-1]
			assert.Equal(t, int64(len(msg)), s.End)
			if !tc.cut {
				assert.Equal(t, "text/plain", last.MediaType())
				assert.Equal(t, fmt.Sprintf("part %d", tc.n-1), msg[last.BodyOffset:last.End])
				return
			}
			assert.Equal(t, opaqueType, last.MediaType())
			assert.Equal(t, fmt.Sprintf("\r\npart %d\r\n--b--\r\n", tc.n-1), msg[last.BodyOffset:last.End])
			assert.Equal(t, int64(len(msg)), last.End)
		})
	}
}

// TestReadHeaderTruncated_Limits checks both header limits at the limit
// and one past it: past it the fields before the limit are kept and
// Truncated reports the cut, where ReadHeader fails.
func TestReadHeaderTruncated_Limits(t *testing.T) {
	field := "X: " + strings.Repeat("a", 95) + "\r\n" // 100 bytes
	for _, tc := range []struct {
		name   string
		header string
		lim    Limits
		fields int
		cut    bool
	}{
		{"fields at default", strings.Repeat("X: 1\r\n", DefaultMaxHeaderFields), Limits{}, DefaultMaxHeaderFields, false},
		{"fields past default", strings.Repeat("X: 1\r\n", DefaultMaxHeaderFields+1), Limits{}, DefaultMaxHeaderFields, true},
		{"100000 fields", strings.Repeat("X: 1\r\n", 100000), Limits{}, DefaultMaxHeaderFields, true},
		{"bytes at 1000", strings.Repeat(field, 10), Limits{MaxHeaderBytes: 1000}, 10, false},
		{"bytes past 1000", strings.Repeat(field, 10) + "Y: 1\r\n", Limits{MaxHeaderBytes: 1000}, 10, true},
		{"folded field dropped whole", strings.Repeat(field, 9) + "Y: 1\r\n" + field[:60] + "\r\n\t" + field[60:], Limits{MaxHeaderBytes: 1000}, 10, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.header + "\r\nbody"
			br := bufio.NewReader(strings.NewReader(in))
			h, err := ReadHeaderTruncated(br, tc.lim)
			require.NoError(t, err)
			assert.Equal(t, tc.fields, h.Len())
			assert.Equal(t, tc.cut, h.Truncated())
			rest, _ := br.ReadString(0)
			assert.Equal(t, "body", rest, "the whole section is consumed")

			lim := tc.lim.withDefaults()
			var p headerParser
			_, _, err = p.read(&lineReader{br: bufio.NewReader(strings.NewReader(in))}, lim, false, nil)
			if tc.cut {
				require.ErrorIs(t, err, ErrLimit)
			} else {
				require.NoError(t, err)
			}
		})
	}
}

// TestReadStructure_100000Fields: the envelope sees the fields before the
// field limit (the first Subject, not the last), while the offsets still
// span the whole header as stored, for BODY[HEADER].
func TestReadStructure_100000Fields(t *testing.T) {
	msg := poisonFields(100000)
	s, err := ReadStructure(strings.NewReader(msg))
	require.NoError(t, err)
	assert.True(t, s.Truncated)
	assert.Equal(t, "first", s.Envelope.Subject)
	assert.Equal(t, int64(strings.Index(msg, "\r\n\r\n")+4), s.BodyOffset)
	assert.Equal(t, "body\r\n", msg[s.BodyOffset:s.End])
}

// TestReadStructure_LongHeaderMemoryBounded: reading a header ten times
// over the field limit allocates about what a header just over it does,
// since the dropped fields are never kept.
func TestReadStructure_LongHeaderMemoryBounded(t *testing.T) {
	small := []byte(poisonFields(DefaultMaxHeaderFields + 1))
	big := []byte(poisonFields(100000))
	measure := func(data []byte) (allocs float64, bytes uint64) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		allocs = testing.AllocsPerRun(5, func() {
			if _, err := ReadStructure(newBytesReader(data)); err != nil {
				t.Fatal(err)
			}
		})
		runtime.ReadMemStats(&after)
		return allocs, (after.TotalAlloc - before.TotalAlloc) / 6
	}
	sa, sb := measure(small)
	ba, bb := measure(big)
	t.Logf("10,001 fields: %.0f allocs, %d B; 100,000 fields: %.0f allocs, %d B", sa, sb, ba, bb)
	assert.LessOrEqual(t, ba, sa+10)
	assert.Less(t, float64(bb), 1.25*float64(sb))
}

func newBytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// BenchmarkReadStructure_100000Fields reports what the poison header
// costs.
func BenchmarkReadStructure_100000Fields(b *testing.B) {
	data := []byte(poisonFields(100000))
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadStructure(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
