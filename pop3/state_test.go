package pop3

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTransition_RFC1939_3 checks every state x command pair against the
// rules of RFC 1939 sections 3 to 7 and of the extensions.
func TestTransition_RFC1939_3(t *testing.T) {
	type result struct {
		next  State
		legal bool
	}
	want := map[State]map[Verb]result{
		StateAuthorization: {
			VerbUSER: {StateAuthorization, true}, VerbSTLS: {StateAuthorization, true},
			VerbUTF8: {StateAuthorization, true}, VerbCAPA: {StateAuthorization, true},
			VerbPASS: {StateTransaction, true}, VerbAPOP: {StateTransaction, true},
			VerbAUTH: {StateTransaction, true}, VerbQUIT: {StateClosed, true},
		},
		StateTransaction: {
			VerbCAPA: {StateTransaction, true}, VerbSTAT: {StateTransaction, true},
			VerbLIST: {StateTransaction, true}, VerbRETR: {StateTransaction, true},
			VerbDELE: {StateTransaction, true}, VerbNOOP: {StateTransaction, true},
			VerbRSET: {StateTransaction, true}, VerbTOP: {StateTransaction, true},
			VerbUIDL: {StateTransaction, true}, VerbQUIT: {StateUpdate, true},
		},
		StateUpdate: {},
		StateClosed: {},
	}
	for s := State(0); s <= numStates; s++ {
		for v := Verb(0); v <= numVerbs; v++ {
			next, legal := Transition(s, v)
			exp, ok := want[s][v]
			if !ok {
				exp = result{s, false}
			}
			require.Equal(t, exp, result{next, legal}, "%s %s", s, v)
		}
	}
}

func TestStateString(t *testing.T) {
	require.Equal(t, "AUTHORIZATION", StateAuthorization.String())
	require.Equal(t, "UPDATE", StateUpdate.String())
	require.Equal(t, "INVALID", numStates.String())
}
