package smtp

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestTransition_RFC5321_4_1_4_EveryStateAndVerb checks every state x verb
// pair against a table written out here by hand from RFC 5321 3.3 and
// 4.1.4, RFC 3030 2, RFC 3207 4.2 and RFC 4954 4, independently of the
// code that builds the package's table.
func TestTransition_RFC5321_4_1_4_EveryStateAndVerb(t *testing.T) {
	const (
		G = StateGreeted
		R = StateReady
		M = StateMail
		P = StateRcpt
		B = StateBDAT
		C = StateClosed
	)
	type next map[Verb]State // the legal verbs; any other is illegal
	want := map[State]next{
		G: {
			VerbEHLO: R, VerbHELO: R, VerbLHLO: R,
			VerbNOOP: G, VerbHELP: G, VerbVRFY: G, VerbEXPN: G, VerbRSET: G,
			VerbQUIT: C,
		},
		R: {
			VerbEHLO: R, VerbHELO: R, VerbLHLO: R,
			VerbNOOP: R, VerbHELP: R, VerbVRFY: R, VerbEXPN: R, VerbRSET: R,
			VerbQUIT: C,
			VerbMAIL: M, VerbSTARTTLS: G, VerbAUTH: R,
		},
		M: {
			VerbEHLO: R, VerbHELO: R, VerbLHLO: R,
			VerbNOOP: M, VerbHELP: M, VerbVRFY: M, VerbEXPN: M, VerbRSET: R,
			VerbQUIT: C,
			VerbRCPT: P,
		},
		P: {
			VerbEHLO: R, VerbHELO: R, VerbLHLO: R,
			VerbNOOP: P, VerbHELP: P, VerbVRFY: P, VerbEXPN: P, VerbRSET: R,
			VerbQUIT: C,
			VerbRCPT: P, VerbDATA: R, VerbBDAT: B,
		},
		B: {
			VerbEHLO: R, VerbHELO: R, VerbLHLO: R,
			VerbNOOP: B, VerbHELP: B, VerbVRFY: B, VerbEXPN: B, VerbRSET: R,
			VerbQUIT: C,
			VerbBDAT: B,
		},
		C: {},
	}
	allVerbs := []Verb{VerbUnknown, VerbEHLO, VerbHELO, VerbLHLO, VerbMAIL, VerbRCPT, VerbDATA, VerbBDAT,
		VerbRSET, VerbNOOP, VerbQUIT, VerbVRFY, VerbEXPN, VerbHELP, VerbSTARTTLS, VerbAUTH}
	assert.Len(t, allVerbs, int(numVerbs), "a verb was added: extend this test")
	assert.Len(t, want, int(numStates), "a state was added: extend this test")
	pairs := 0
	for s, legal := range want {
		for _, v := range allVerbs {
			pairs++
			got, ok := Transition(s, v)
			exp, expOK := legal[v]
			if !assert.Equal(t, expOK, ok, "%s in state %s: legal", v, s) {
				continue
			}
			if expOK {
				assert.Equal(t, exp, got, "%s in state %s: next state", v, s)
			} else {
				assert.Equal(t, s, got, "%s in state %s: an illegal verb keeps the state", v, s)
			}
		}
	}
	assert.Equal(t, 96, pairs)
}

func TestTransition_OutOfRange(t *testing.T) {
	_, ok := Transition(numStates, VerbNOOP)
	assert.False(t, ok)
	_, ok = Transition(StateReady, numVerbs)
	assert.False(t, ok)
	assert.Equal(t, "invalid", State(99).String())
	assert.Equal(t, StateReady, EndTransaction, "RFC 5321 4.1.1.4: a transaction ends after the data either way")
}

func TestState_String(t *testing.T) {
	for s, name := range map[State]string{StateGreeted: "greeted", StateReady: "ready", StateMail: "mail",
		StateRcpt: "rcpt", StateBDAT: "bdat", StateClosed: "closed"} {
		assert.Equal(t, name, s.String())
	}
}
