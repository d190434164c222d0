package wire

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stuffed returns n strings of size bytes each, sent as literals one
// after the other: the shape of the attack that reset the budget at each
// literal's CRLF.
func stuffed(n, size int, nonSync bool) string {
	plus := ""
	if nonSync {
		plus = "+"
	}
	var sb strings.Builder
	for i := 0; i < n; i++ {
		sb.WriteString(" {" + strconv.Itoa(size) + plus + "}\r\n" + strings.Repeat("x", size))
	}
	return sb.String()
}

// TestCommandBudgetAcrossLiterals_RFC7888_4 checks that MaxLine bounds a
// command as a whole: the CRLF after a literal header does not start a
// new budget, and each in-memory literal counts in full. At the limit the
// strings are read; one byte past it the literal is refused, with its
// header, before SyncLiteral asks for its bytes.
func TestCommandBudgetAcrossLiterals_RFC7888_4(t *testing.T) {
	// Each element is " {40}\r\n" (7 bytes) plus 40 bytes: 47.
	for _, tt := range []struct {
		name   string
		max    int
		refuse bool
	}{
		{"at the limit", 3 * 47, false},
		{"past the limit", 3*47 - 1, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(stuffed(3, 40, false)+"\r\n"), Limits{MaxLine: tt.max})
			synced := 0
			r.SyncLiteral = func(Literal) error { synced++; return nil }
			var err error
			for i := 0; i < 3 && err == nil; i++ {
				if err = r.SP(); err == nil {
					_, err = r.String()
				}
			}
			if !tt.refuse {
				require.NoError(t, err)
				assert.Equal(t, 3, synced)
				return
			}
			var le *LiteralError
			require.ErrorAs(t, err, &le)
			assert.ErrorIs(t, err, ErrLineTooLong)
			assert.Equal(t, Literal{Size: 40}, le.Literal)
			assert.Equal(t, 2, synced, "the refused literal's continuation is never sent")
		})
	}
}

// TestCommandBudgetEndsAtCRLF checks that the CRLF ending a command
// starts the next one's budget afresh.
func TestCommandBudgetEndsAtCRLF(t *testing.T) {
	one := " {40+}\r\n" + strings.Repeat("y", 40) + "\r\n"
	r := NewReader(strings.NewReader(strings.Repeat(one, 5)), Limits{MaxLine: 60})
	for i := 0; i < 5; i++ {
		require.NoError(t, r.SP())
		s, err := r.String()
		require.NoError(t, err, "command %d", i)
		assert.Len(t, s, 40)
		require.NoError(t, r.CRLF())
	}
}

// TestSeqSetRangesPerCommand checks MaxSeqRanges: the ranges of all the
// sets of one command are summed, up to the limit and not one more, and
// the count starts again with the next command.
func TestSeqSetRangesPerCommand(t *testing.T) {
	in := "1:2,4,6:* 7,8,9 1:5,6,7,8,9\r\n1,2,3,4,5,6,7,8,9,10\r\n"
	r := NewReader(strings.NewReader(in), Limits{MaxSeqRanges: 10})
	for _, want := range []string{"1:2,4,6:*", "7,8,9"} {
		s, err := r.SeqSet()
		require.NoError(t, err)
		assert.Equal(t, want, s)
		require.NoError(t, r.SP())
	}
	_, err := r.SeqSet()
	assert.ErrorIs(t, err, ErrTooManyRanges, "6 + 5 ranges is one past the limit")
	require.NoError(t, r.CRLF())
	s, err := r.SeqSet()
	require.NoError(t, err, "10 ranges in a new command are at the limit")
	assert.Equal(t, "1,2,3,4,5,6,7,8,9,10", s)

	r = NewReader(strings.NewReader(strings.Repeat("1,", 20000)+"1\r\n"), Limits{})
	_, err = r.SeqSet()
	assert.NoError(t, err, "zero means no limit, as a client reads responses")
}

// TestBeginResetsCommandState checks that Begin forgets what a refused
// command left: its depth, its budget and its ranges.
func TestBeginResetsCommandState(t *testing.T) {
	r := NewReader(strings.NewReader(strings.Repeat("(", 10)+"a 1,2,3 (x)"), Limits{MaxDepth: 4, MaxSeqRanges: 3, MaxLine: 100})
	err := r.List(func() error {
		return r.List(func() error { return r.List(func() error { return errors.New("refused") }) })
	})
	require.Error(t, err)
	assert.Zero(t, r.depth, "lists restore the depth on the way out")
	for range 4 {
		require.NoError(t, r.Enter())
	}
	assert.ErrorIs(t, r.Enter(), ErrTooDeep)
	assert.Equal(t, 4, r.depth, "a refused Enter does not count")
	r.Begin()
	assert.Zero(t, r.depth)
	assert.Zero(t, r.line)
	assert.Zero(t, r.ranges)
}

// endless is a line that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'z'
	}
	return len(p), nil
}

// TestSkipLine checks that skipping the rest of a line stops at the
// budget without waiting for an LF, and keeps the line's last bytes.
func TestSkipLine(t *testing.T) {
	r := NewReader(endless{}, Limits{MaxLine: 1 << 20})
	var tail [8]byte
	_, err := r.SkipLine(tail[:])
	assert.ErrorIs(t, err, ErrLineTooLong, "a line without LF is refused once the budget is spent")

	long := strings.Repeat("q", 40000) + " {12+}\r\nnext\r\n"
	r = NewReader(strings.NewReader(long), Limits{MaxLine: 40000 + 8})
	n, err := r.SkipLine(tail[:])
	require.NoError(t, err, "the line and its LF fit the budget")
	assert.Equal(t, "q {12+}\r", string(tail[:n]))
	require.NoError(t, r.DiscardLiteral(0))
	assert.ErrorIs(t, r.DiscardLiteral(1), ErrLineTooLong, "the budget is spent")

	r = NewReader(strings.NewReader(long), Limits{MaxLine: 40000 + 7})
	_, err = r.SkipLine(tail[:])
	assert.ErrorIs(t, err, ErrLineTooLong, "one byte past the budget")
}

// TestKeepTail checks the ring of last bytes SkipLine keeps.
func TestKeepTail(t *testing.T) {
	tests := []struct {
		chunks []string
		want   string
	}{
		{[]string{"ab"}, "ab"},
		{[]string{"ab", "cd"}, "abcd"},
		{[]string{"abc", "def"}, "bcdef"},
		{[]string{"abcdefgh"}, "defgh"},
		{[]string{"a", "b", "c", "d", "e", "f"}, "bcdef"},
		{[]string{"", "x"}, "x"},
	}
	for _, tt := range tests {
		var tail [5]byte
		n := 0
		for _, c := range tt.chunks {
			n = keepTail(tail[:], n, []byte(c))
		}
		assert.Equal(t, tt.want, string(tail[:n]), "%q", tt.chunks)
	}
}
