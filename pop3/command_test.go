package pop3

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseCommand_RFC1939_3(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Command
		err  error
	}{
		{"STAT", Command{Verb: VerbSTAT}, nil},
		{"stat", Command{Verb: VerbSTAT}, nil},
		{"Top 1 10", Command{Verb: VerbTOP, Args: []string{"1", "10"}}, nil},
		{"USER alice", Command{Verb: VerbUSER, Args: []string{"alice"}}, nil},
		{"PASS pass with spaces ", Command{Verb: VerbPASS, Args: []string{"pass with spaces "}}, nil},
		{"PASS ", Command{Verb: VerbPASS}, ErrSyntax},
		{"AUTH PLAIN =", Command{Verb: VerbAUTH, Args: []string{"PLAIN", "="}}, nil},
		{"LIST  1", Command{Verb: VerbLIST}, ErrSyntax},
		{"LIST 1 ", Command{Verb: VerbLIST}, ErrSyntax},
		{"TOP 1 2 3", Command{Verb: VerbTOP}, ErrSyntax},
		{"", Command{}, ErrUnknownCommand},
		{"ST", Command{}, ErrUnknownCommand},
		{"STATS", Command{}, ErrUnknownCommand},
		{"XTND XMIT", Command{}, ErrUnknownCommand},
		{" STAT", Command{}, ErrUnknownCommand},
	} {
		got, err := ParseCommand([]byte(tc.in))
		require.ErrorIs(t, err, tc.err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

func TestCommandString(t *testing.T) {
	require.Equal(t, "TOP 1 5", Command{Verb: VerbTOP, Args: []string{"1", "5"}}.String())
	require.Equal(t, "QUIT", Command{Verb: VerbQUIT}.String())
}

// TestParseDecimal_RFC1939_3: message numbers and counts are decimals;
// leading zeros are accepted, signs and anything else are not, nor a
// number that would overflow.
func TestParseDecimal_RFC1939_3(t *testing.T) {
	for _, tc := range []struct {
		in string
		n  int
		ok bool
	}{
		{"1", 1, true}, {"007", 7, true}, {"0", 0, true}, {"11", 11, true},
		{"-1", 0, false}, {"+1", 0, false}, {"1x", 0, false}, {"", 0, false},
		{"99999999999999999999", 0, false},
	} {
		n, ok := parseDecimal(tc.in)
		require.Equal(t, tc.ok, ok, tc.in)
		if ok {
			require.Equal(t, tc.n, n, tc.in)
		}
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"STAT", "TOP 1 10", "PASS a b c", "AUTH PLAIN =", "LIST  1", "user x", "\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		cmd, err := ParseCommand(line)
		if err != nil {
			return
		}
		// A parsed command formats back to what was parsed, case aside.
		again, err := ParseCommand([]byte(cmd.String()))
		require.NoError(t, err)
		require.Equal(t, cmd, again)
	})
}

func BenchmarkParseCommand(b *testing.B) {
	lines := [][]byte{[]byte("RETR 1234"), []byte("TOP 12 100"), []byte("uidl"), []byte("PASS secret")}
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			if _, err := ParseCommand(l); err != nil {
				b.Fatal(err)
			}
		}
	}
}
