package servertest

import "testing"

// Input is one question to a protocol's state table (internal/statetable):
// a state, a verb and the outcome of the verb.
type Input[S, V, O any] struct {
	S S
	V V
	O O
}

// Unchanged requires that transition, a protocol's Transition, keeps the
// state of each input and says its verb is not legal there: inputs
// outside the table change nothing, used by server and client alike.
func Unchanged[S comparable, V, O any](t *testing.T, transition func(S, V, O) (S, bool), inputs ...Input[S, V, O]) {
	t.Helper()
	for _, in := range inputs {
		if next, legal := transition(in.S, in.V, in.O); next != in.S || legal {
			t.Errorf("Transition(%v, %v, %v) = %v, %v; want the state kept and not legal", in.S, in.V, in.O, next, legal)
		}
	}
}
