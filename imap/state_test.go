package imap

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mailwire/mailwire/internal/servertest"
)

// commandStates is the expected legality of every command, written out
// from RFC 3501 sections 6.1 to 6.4 and the extension RFCs, independently
// of the table in state.go.
var commandStates = map[string][3]bool{ // not authenticated, authenticated, selected
	"CAPABILITY": {true, true, true}, "NOOP": {true, true, true}, "LOGOUT": {true, true, true},
	"ID":       {true, true, true},
	"STARTTLS": {true, false, false}, "AUTHENTICATE": {true, false, false}, "LOGIN": {true, false, false},
	"SELECT": {false, true, true}, "EXAMINE": {false, true, true}, "CREATE": {false, true, true},
	"DELETE": {false, true, true}, "RENAME": {false, true, true}, "SUBSCRIBE": {false, true, true},
	"UNSUBSCRIBE": {false, true, true}, "LIST": {false, true, true}, "LSUB": {false, true, true},
	"STATUS": {false, true, true}, "APPEND": {false, true, true}, "NAMESPACE": {false, true, true},
	"IDLE": {false, true, true}, "COMPRESS": {false, true, true},
	"ENABLE": {false, true, false},
	"CHECK":  {false, false, true}, "CLOSE": {false, false, true}, "UNSELECT": {false, false, true},
	"EXPUNGE": {false, false, true}, "SEARCH": {false, false, true}, "FETCH": {false, false, true},
	"STORE": {false, false, true}, "COPY": {false, false, true}, "MOVE": {false, false, true},
	"SORT": {false, false, true}, "THREAD": {false, false, true},
	"UID SEARCH": {false, false, true}, "UID FETCH": {false, false, true}, "UID STORE": {false, false, true},
	"UID COPY": {false, false, true}, "UID MOVE": {false, false, true}, "UID EXPUNGE": {false, false, true},
	"UID SORT": {false, false, true}, "UID THREAD": {false, false, true},
}

// stateChanges are the transitions of the diagram in RFC 3501 section 3.5
// after a tagged OK and a tagged NO; every other command keeps the state.
var stateChanges = map[string][2]State{
	"LOGIN": {StateAuthenticated, StateNotAuthenticated}, "AUTHENTICATE": {StateAuthenticated, StateNotAuthenticated},
	// A failed SELECT or EXAMINE leaves no mailbox selected (6.3.1).
	"SELECT": {StateSelected, StateAuthenticated}, "EXAMINE": {StateSelected, StateAuthenticated},
	"CLOSE": {StateAuthenticated, StateSelected}, "UNSELECT": {StateAuthenticated, StateSelected},
	"LOGOUT": {StateLogout, StateLogout},
}

// verbs returns every verb, VerbUnknown included.
func verbs() []Verb {
	var out []Verb
	for v := VerbUnknown; v < numVerbs; v++ {
		out = append(out, v)
	}
	return out
}

// TestVerb_RFC3501_9 checks that every verb's name reads back as the
// verb, case-insensitively, and that each is in the RFC list above.
func TestVerb_RFC3501_9(t *testing.T) {
	assert.Len(t, commandStates, int(numVerbs)-1)
	for _, v := range verbs()[1:] {
		name := v.String()
		assert.Contains(t, commandStates, name)
		cmd, got, err := readCommandHead(reader("t " + name + "\r\n"))
		assert.NoError(t, err, name)
		assert.Equal(t, Command{Tag: "t", Verb: v}, cmd, name)
		assert.Equal(t, name, got)
	}
	assert.Equal(t, "UNKNOWN", VerbUnknown.String())
	assert.Equal(t, "UNKNOWN", numVerbs.String())
}

// TestAllowed_RFC3501_6 checks every state x verb pair.
func TestAllowed_RFC3501_6(t *testing.T) {
	for _, v := range append(verbs(), numVerbs) {
		want := commandStates[v.String()]
		for s := StateNotAuthenticated; s <= numStates; s++ {
			exp := s < StateLogout && want[s]
			assert.Equal(t, exp, Allowed(s, v), "%s in %v", v, s)
		}
	}
	assert.False(t, Allowed(-1, VerbNOOP))
}

// TestTransition_RFC3501_3_5 checks every state, verb and outcome against
// the diagram in RFC 3501 section 3.5: BAD never changes the state
// (7.1.3), a closed session ends in logout from anywhere, and an illegal
// command leaves the state as it was.
func TestTransition_RFC3501_3_5(t *testing.T) {
	for _, v := range verbs() {
		name := v.String()
		for s := StateNotAuthenticated; s <= StateLogout; s++ {
			legal := s < StateLogout && commandStates[name][min(int(s), 2)]
			for o := OutcomeAccepted; o < numOutcomes; o++ {
				want := s
				switch {
				case o == OutcomeClosed:
					want = StateLogout
				case !legal:
				case o == OutcomeAccepted && stateChanges[name] != [2]State{}:
					want = stateChanges[name][0]
				case o == OutcomeRefused && stateChanges[name] != [2]State{}:
					want = stateChanges[name][1]
				}
				got, gotLegal := Transition(s, v, o)
				assert.Equal(t, want, got, "%s %s in %v", name, o, s)
				assert.Equal(t, legal, gotLegal, "%s %s in %v", name, o, s)
			}
		}
	}
}

// TestTransition_outOfRange: inputs outside the table change nothing.
func TestTransition_outOfRange(t *testing.T) {
	servertest.Unchanged(t, Transition, []servertest.Input[State, Verb, Outcome]{
		{S: StateSelected, V: numVerbs, O: OutcomeClosed}, {S: StateSelected, V: VerbCLOSE, O: numOutcomes},
		{S: numStates, V: VerbNOOP, O: OutcomeClosed}, {S: -1, V: VerbNOOP, O: OutcomeAccepted},
	}...)
}

// TestOutcomeOf_RFC3501_7_1: the tagged response types as outcomes.
func TestOutcomeOf_RFC3501_7_1(t *testing.T) {
	for typ, want := range map[StatusType]Outcome{
		StatusOK: OutcomeAccepted, StatusNO: OutcomeRefused, StatusBAD: OutcomeBad,
		StatusBYE: OutcomeClosed, StatusType("XYZ"): OutcomeBad,
	} {
		assert.Equal(t, want, outcomeOf(typ), typ)
	}
	assert.Equal(t, "TLS started", OutcomeTLSStarted.String())
	assert.Equal(t, "invalid", numOutcomes.String())
}

// TestGreeting_RFC3501_7_1 checks the three greetings.
func TestGreeting_RFC3501_7_1(t *testing.T) {
	assert.Equal(t, StateNotAuthenticated, Greeting(StatusOK))
	assert.Equal(t, StateAuthenticated, Greeting(StatusPREAUTH))
	assert.Equal(t, StateLogout, Greeting(StatusBYE))
	assert.Equal(t, "selected", StateSelected.String())
	assert.Equal(t, "unknown", numStates.String())
}
