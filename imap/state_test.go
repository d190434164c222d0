package imap

import (
	"testing"

	"github.com/stretchr/testify/assert"
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

// TestAllowed_RFC3501_6 checks every state x command pair.
func TestAllowed_RFC3501_6(t *testing.T) {
	assert.ElementsMatch(t, Commands(), keys(commandStates))
	for _, cmd := range append(Commands(), "XYZZY", "UID", "") {
		want := commandStates[cmd]
		for s := StateNotAuthenticated; s <= StateLogout; s++ {
			exp := s != StateLogout && want[min(int(s), 2)]
			assert.Equal(t, exp, Allowed(s, cmd), "%s in %v", cmd, s)
		}
	}
}

func keys(m map[string][3]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestNext_RFC3501_3_5 checks the transitions of the diagram in RFC 3501
// section 3.5 for every state, command and result.
func TestNext_RFC3501_3_5(t *testing.T) {
	changes := map[string][2]State{ // on OK, on NO
		"LOGIN": {StateAuthenticated, StateNotAuthenticated}, "AUTHENTICATE": {StateAuthenticated, StateNotAuthenticated},
		"SELECT": {StateSelected, StateAuthenticated}, "EXAMINE": {StateSelected, StateAuthenticated},
		"CLOSE": {StateAuthenticated, StateSelected}, "UNSELECT": {StateAuthenticated, StateSelected},
		"LOGOUT": {StateLogout, StateLogout},
	}
	for _, cmd := range Commands() {
		for s := StateNotAuthenticated; s <= StateLogout; s++ {
			for _, res := range []StatusType{StatusOK, StatusNO, StatusBAD, StatusBYE} {
				got := Next(s, cmd, res)
				want := s
				switch {
				case res == StatusBYE:
					want = StateLogout
				case !Allowed(s, cmd) || res == StatusBAD:
				case changes[cmd] != [2]State{}:
					if res == StatusOK {
						want = changes[cmd][0]
					} else {
						want = changes[cmd][1]
					}
				}
				assert.Equal(t, want, got, "%s %s in %v", cmd, res, s)
			}
		}
	}
}

// TestGreeting_RFC3501_7_1 checks the three greetings.
func TestGreeting_RFC3501_7_1(t *testing.T) {
	assert.Equal(t, StateNotAuthenticated, Greeting(StatusOK))
	assert.Equal(t, StateAuthenticated, Greeting(StatusPREAUTH))
	assert.Equal(t, StateLogout, Greeting(StatusBYE))
	assert.Equal(t, "selected", StateSelected.String())
}
