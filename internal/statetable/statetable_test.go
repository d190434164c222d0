package statetable

import "testing"

// TestTransition: a two-state table in which verb 1 is legal in state 0
// and its outcome 0 leads to state 1; outcome 2 closes (state 1).
func TestTransition(t *testing.T) {
	tab := New[uint8, uint8, uint8](2, 2, 3, 2, 1)
	tab.Allow(0, 1)
	tab.On(0, 0, 1, 1)
	tab.On(1, 0, 0, 1) // not legal in state 1: has no effect
	tests := []struct {
		name          string
		s, v, o, next uint8
		legal         bool
	}{
		{"legal verb, its rule", 0, 1, 0, 1, true},
		{"legal verb, other outcome stays", 0, 1, 1, 0, true},
		{"legal verb, closed", 0, 1, 2, 1, true},
		{"illegal verb stays", 0, 0, 0, 0, false},
		{"illegal verb, closed", 0, 0, 2, 1, false},
		{"illegal verb with a rule stays", 1, 1, 0, 1, false},
		{"state out of range", 2, 0, 0, 2, false},
		{"verb out of range", 0, 2, 0, 0, false},
		{"outcome out of range", 0, 1, 3, 0, false},
	}
	for _, tt := range tests {
		next, legal := tab.Transition(tt.s, tt.v, tt.o)
		if next != tt.next || legal != tt.legal {
			t.Errorf("%s: Transition(%d, %d, %d) = %d, %v; want %d, %v", tt.name, tt.s, tt.v, tt.o, next, legal, tt.next, tt.legal)
		}
		if got, want := tab.Allowed(tt.s, tt.v), tt.legal || tt.o == 3; got != want {
			t.Errorf("%s: Allowed(%d, %d) = %v; want %v", tt.name, tt.s, tt.v, got, want)
		}
	}
}
