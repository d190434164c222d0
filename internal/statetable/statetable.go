// Package statetable is the transition table that the SMTP, POP3 and IMAP
// state machines share: for each state and verb, whether the verb is
// legal and the state each outcome of it leads to. Each protocol
// package's state.go declares its States, Verbs and Outcomes and builds
// its Table from the rules of its RFC, which it documents; Allowed and
// Transition are then the same lookups in the three, used by server and
// client alike.
package statetable

// Index is the kind of type a protocol's State, Verb and Outcome are:
// small integers counted from zero.
type Index interface{ ~uint8 | ~int }

// Table holds the rules of one protocol; build it with New, Allow and On
// before first use, then only look it up.
type Table[S, V, O Index] struct {
	numStates, numVerbs, numOutcomes int
	legal                            []bool // [state*numVerbs+verb]
	next                             []S    // [(state*numVerbs+verb)*numOutcomes+outcome]
	closed                           O
}

// New returns a table of numStates states, numVerbs verbs and numOutcomes
// outcomes in which nothing is legal, every outcome leaves the state as
// it was, except closed, which leads to end from every state for every
// verb: a session that ends ends whatever it sent.
func New[S, V, O Index](numStates S, numVerbs V, numOutcomes O, closed O, end S) *Table[S, V, O] {
	t := &Table[S, V, O]{numStates: int(numStates), numVerbs: int(numVerbs), numOutcomes: int(numOutcomes), closed: closed}
	t.legal = make([]bool, t.numStates*t.numVerbs)
	t.next = make([]S, len(t.legal)*t.numOutcomes)
	for i := range t.next {
		cell, o := i/t.numOutcomes, i%t.numOutcomes
		t.next[i] = S(cell / t.numVerbs)
		if o == int(closed) {
			t.next[i] = end
		}
	}
	return t
}

// Allow makes verbs legal in state s.
func (t *Table[S, V, O]) Allow(s S, verbs ...V) {
	for _, v := range verbs {
		t.legal[t.cell(s, v)] = true
	}
}

// On makes outcome o of verbs in state s lead to next.
func (t *Table[S, V, O]) On(s S, o O, next S, verbs ...V) {
	for _, v := range verbs {
		t.next[t.cell(s, v)*t.numOutcomes+int(o)] = next
	}
}

func (t *Table[S, V, O]) cell(s S, v V) int { return int(s)*t.numVerbs + int(v) }

// Allowed reports whether verb v may be sent (client) or run (server) in
// state s; out of range, it may not.
func (t *Table[S, V, O]) Allowed(s S, v V) bool {
	return t.inRange(s, v) && t.legal[t.cell(s, v)]
}

// Transition returns the state after v ended with outcome o in state s,
// and whether v is legal in s. An illegal verb leaves the state as it
// was (the server refused it), unless the session closed; so does a
// value out of range.
func (t *Table[S, V, O]) Transition(s S, v V, o O) (next S, legal bool) {
	if !t.inRange(s, v) || int(o) < 0 || int(o) >= t.numOutcomes {
		return s, false
	}
	if legal = t.legal[t.cell(s, v)]; !legal && o != t.closed {
		return s, false
	}
	return t.next[t.cell(s, v)*t.numOutcomes+int(o)], legal
}

func (t *Table[S, V, O]) inRange(s S, v V) bool {
	return int(s) >= 0 && int(s) < t.numStates && int(v) >= 0 && int(v) < t.numVerbs
}
