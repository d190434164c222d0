package pop3

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// legalVerbs lists the commands each state allows (RFC 1939 sections 4 to
// 7, RFC 2449 5, RFC 2595 4, RFC 5034 4, RFC 6856 2.1). UPDATE reads no
// command; QUIT's outcome there is the result of the update.
var legalVerbs = map[State][]Verb{
	StateAuthorization: {VerbUSER, VerbPASS, VerbAPOP, VerbAUTH, VerbSTLS, VerbUTF8, VerbCAPA, VerbQUIT},
	StateTransaction: {VerbCAPA, VerbSTAT, VerbLIST, VerbRETR, VerbDELE, VerbNOOP, VerbRSET,
		VerbTOP, VerbUIDL, VerbQUIT},
	StateUpdate: {VerbQUIT},
}

// moves are the rules that change the state, besides OutcomeClosed, which
// leads to StateClosed from everywhere. Every other (state, verb, outcome)
// stays where it is.
var moves = []struct {
	s    State
	v    Verb
	o    Outcome
	next State
	rule string
}{
	{StateAuthorization, VerbPASS, OutcomeAccepted, StateTransaction, "RFC 1939 4: the maildrop is open"},
	{StateAuthorization, VerbAPOP, OutcomeAccepted, StateTransaction, "RFC 1939 7"},
	{StateAuthorization, VerbAUTH, OutcomeAccepted, StateTransaction, "RFC 5034 4"},
	{StateAuthorization, VerbQUIT, OutcomeAccepted, StateClosed, "RFC 1939 4: no UPDATE"},
	{StateTransaction, VerbQUIT, OutcomeAccepted, StateUpdate, "RFC 1939 6"},
	{StateUpdate, VerbQUIT, OutcomeAccepted, StateClosed, "RFC 1939 6: deletions applied"},
	{StateUpdate, VerbQUIT, OutcomeRefused, StateClosed, "RFC 1939 6: deletions failed, the session ends all the same"},
}

// TestTransition_RFC1939_3 checks every state x verb x outcome against the
// rules of RFC 1939 sections 3 to 7 and of the extensions, out-of-range
// values included.
func TestTransition_RFC1939_3(t *testing.T) {
	type result struct {
		next  State
		legal bool
	}
	for s := State(0); s <= numStates; s++ {
		for v := Verb(0); v <= numVerbs; v++ {
			for o := Outcome(0); o <= numOutcomes; o++ {
				legal := slices.Contains(legalVerbs[s], v)
				want := result{s, legal}
				switch {
				case s >= numStates || v >= numVerbs || o >= numOutcomes:
					want = result{s, false}
				case o == OutcomeClosed:
					want.next = StateClosed
				}
				for _, m := range moves {
					if m.s == s && m.v == v && m.o == o {
						want.next = m.next
					}
				}
				next, ok := Transition(s, v, o)
				require.Equal(t, want, result{next, ok}, "%s %s %s", s, v, o)
				require.Equal(t, legal, Allowed(s, v), "Allowed(%s, %s)", s, v)
			}
		}
	}
}

// TestTransition_Rules spells out the rules that matter most, one by one.
func TestTransition_Rules(t *testing.T) {
	tests := []struct {
		name string
		s    State
		v    Verb
		o    Outcome
		want State
	}{
		{"RFC 1939 4: a refused PASS stays", StateAuthorization, VerbPASS, OutcomeRefused, StateAuthorization},
		{"RFC 5034 4: a refused AUTH stays", StateAuthorization, VerbAUTH, OutcomeRefused, StateAuthorization},
		{"RFC 2595 4: STLS's handshake stays in AUTHORIZATION", StateAuthorization, VerbSTLS, OutcomeTLSStarted, StateAuthorization},
		{"RFC 2595 4: a failed handshake closes", StateAuthorization, VerbSTLS, OutcomeClosed, StateClosed},
		{"RFC 1939 6: a QUIT refused before UPDATE stays", StateTransaction, VerbQUIT, OutcomeRefused, StateTransaction},
		{"RFC 1939 6: UPDATE ends whatever the outcome", StateUpdate, VerbQUIT, OutcomeRefused, StateClosed},
		{"RFC 1939 3: autologout in AUTHORIZATION", StateAuthorization, VerbUnknown, OutcomeClosed, StateClosed},
		{"RFC 1939 3: autologout in TRANSACTION, no UPDATE", StateTransaction, VerbUnknown, OutcomeClosed, StateClosed},
		{"a broken connection in UPDATE", StateUpdate, VerbUnknown, OutcomeClosed, StateClosed},
		{"an illegal command is refused and stays", StateTransaction, VerbUSER, OutcomeRefused, StateTransaction},
		{"a dropped RETR (BeforeCommand hook) closes", StateTransaction, VerbRETR, OutcomeClosed, StateClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, _ := Transition(tt.s, tt.v, tt.o)
			require.Equal(t, tt.want, next)
		})
	}
}

func TestStateString(t *testing.T) {
	require.Equal(t, "AUTHORIZATION", StateAuthorization.String())
	require.Equal(t, "UPDATE", StateUpdate.String())
	require.Equal(t, "INVALID", numStates.String())
	require.Equal(t, "TLS started", OutcomeTLSStarted.String())
	require.Equal(t, "invalid", numOutcomes.String())
}
