package statetable

import "testing"

// TestLookup: names match whole and ignoring case, the prefix exactly,
// and names[0] never.
func TestLookup(t *testing.T) {
	names := []string{"", "NOOP", "UID FETCH", "FETCH"}
	tests := []struct {
		prefix, word string
		want         uint8
	}{
		{"", "noop", 1},
		{"", "NoOp", 1},
		{"", "NOOPX", 0},
		{"", "NOO", 0},
		{"", "", 0},
		{"", "fetch", 3},
		{"UID ", "fetch", 2},
		{"uid ", "fetch", 0},
		{"", "nOoP", 1},
	}
	for _, tt := range tests {
		if got := Lookup[uint8](names, tt.prefix, tt.word); got != tt.want {
			t.Errorf("Lookup(%q, %q) = %d, want %d", tt.prefix, tt.word, got, tt.want)
		}
		if got := Lookup[uint8](names, tt.prefix, []byte(tt.word)); got != tt.want {
			t.Errorf("Lookup(%q, []byte(%q)) = %d, want %d", tt.prefix, tt.word, got, tt.want)
		}
	}
}

// TestName: a name in range, "" and out of range give unknown.
func TestName(t *testing.T) {
	names := []string{"", "NOOP"}
	for i, want := range []string{"?", "NOOP", "?"} {
		if got := Name(names, uint8(i), "?"); got != want {
			t.Errorf("Name(%d) = %q, want %q", i, got, want)
		}
	}
	if got := Name(names, -1, "?"); got != "?" {
		t.Errorf("Name(-1) = %q", got)
	}
}
