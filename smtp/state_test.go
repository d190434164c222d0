package smtp

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestTransition_RFC5321_4_1_4_EveryStateVerbAndOutcome checks every
// state x verb x outcome against rules written out here by hand from RFC
// 5321 3.3, 4.1.1 and 4.1.4, RFC 3030 2, RFC 3207 4.2 and RFC 4954 4,
// independently of the code that builds the package's table: the legal
// verbs of each state, the moves that change the state, OutcomeClosed to
// StateClosed from everywhere, and every other input keeping the state.
func TestTransition_RFC5321_4_1_4_EveryStateVerbAndOutcome(t *testing.T) {
	const (
		G = StateGreeted
		R = StateReady
		M = StateMail
		P = StateRcpt
		B = StateBDAT
		C = StateClosed
	)
	always := []Verb{VerbEHLO, VerbHELO, VerbLHLO, VerbNOOP, VerbHELP, VerbVRFY, VerbEXPN, VerbRSET, VerbQUIT}
	legal := map[State][]Verb{
		G: always,
		R: append([]Verb{VerbMAIL, VerbSTARTTLS, VerbAUTH}, always...),
		M: append([]Verb{VerbRCPT}, always...),
		P: append([]Verb{VerbRCPT, VerbDATA, VerbBDAT}, always...),
		B: append([]Verb{VerbBDAT}, always...),
		C: nil,
	}
	type input struct {
		s State
		v Verb
		o Outcome
	}
	moves := map[input]State{
		{R, VerbMAIL, OutcomeAccepted}:       M,
		{M, VerbRCPT, OutcomeAccepted}:       P,
		{P, VerbBDAT, OutcomeAccepted}:       B, // RFC 3030 2
		{P, VerbDATA, OutcomeMessageEnded}:   R, // 4.1.1.4: whatever the answer
		{P, VerbBDAT, OutcomeMessageEnded}:   R,
		{B, VerbBDAT, OutcomeMessageEnded}:   R,
		{B, VerbBDAT, OutcomeRefused}:        R, // RFC 3030 2: the transaction failed
		{R, VerbSTARTTLS, OutcomeTLSStarted}: G, // RFC 3207 4.2
	}
	for _, s := range []State{G, R, M, P, B} {
		for _, v := range []Verb{VerbEHLO, VerbHELO, VerbLHLO} {
			moves[input{s, v, OutcomeAccepted}] = R // 4.1.4: a greeting resets
		}
		moves[input{s, VerbQUIT, OutcomeAccepted}] = C // 4.1.1.10
		if s != G {
			moves[input{s, VerbRSET, OutcomeAccepted}] = R // 4.1.1.5
		}
	}
	allVerbs := []Verb{VerbUnknown, VerbEHLO, VerbHELO, VerbLHLO, VerbMAIL, VerbRCPT, VerbDATA, VerbBDAT,
		VerbRSET, VerbNOOP, VerbQUIT, VerbVRFY, VerbEXPN, VerbHELP, VerbSTARTTLS, VerbAUTH}
	allOutcomes := []Outcome{OutcomeAccepted, OutcomeRefused, OutcomeTLSStarted, OutcomeClosed, OutcomeMessageEnded}
	assert.Len(t, allVerbs, int(numVerbs), "a verb was added: extend this test")
	assert.Len(t, allOutcomes, int(numOutcomes), "an outcome was added: extend this test")
	assert.Len(t, legal, int(numStates), "a state was added: extend this test")
	inputs := 0
	for s, verbs := range legal {
		isLegal := map[Verb]bool{}
		for _, v := range verbs {
			isLegal[v] = true
		}
		for _, v := range allVerbs {
			assert.Equal(t, isLegal[v], Allowed(s, v), "Allowed(%s, %s)", s, v)
			for _, o := range allOutcomes {
				inputs++
				want, moved := moves[input{s, v, o}]
				switch {
				case o == OutcomeClosed:
					want = C
				case !moved:
					want = s
				}
				got, ok := Transition(s, v, o)
				assert.Equal(t, isLegal[v], ok, "%s in state %s: legal", v, s)
				assert.Equal(t, want, got, "%s %s in state %s: next state", v, o, s)
			}
		}
	}
	assert.Equal(t, 480, inputs)
}

func TestTransition_OutOfRange(t *testing.T) {
	for _, tc := range []struct {
		s State
		v Verb
		o Outcome
	}{
		{numStates, VerbNOOP, OutcomeAccepted},
		{StateReady, numVerbs, OutcomeAccepted},
		{StateReady, VerbNOOP, numOutcomes},
	} {
		got, ok := Transition(tc.s, tc.v, tc.o)
		assert.False(t, ok, "%d %d %d", tc.s, tc.v, tc.o)
		assert.Equal(t, tc.s, got, "%d %d %d keeps the state", tc.s, tc.v, tc.o)
	}
	assert.False(t, Allowed(numStates, VerbNOOP))
	assert.False(t, Allowed(StateReady, numVerbs))
	assert.Equal(t, "invalid", State(99).String())
	assert.Equal(t, "invalid", Outcome(99).String())
}

func TestState_String(t *testing.T) {
	for s, name := range map[State]string{StateGreeted: "greeted", StateReady: "ready", StateMail: "mail",
		StateRcpt: "rcpt", StateBDAT: "bdat", StateClosed: "closed"} {
		assert.Equal(t, name, s.String())
	}
	for o, name := range map[Outcome]string{OutcomeAccepted: "accepted", OutcomeRefused: "refused",
		OutcomeTLSStarted: "tls-started", OutcomeClosed: "closed", OutcomeMessageEnded: "message-ended"} {
		assert.Equal(t, name, o.String())
	}
}
