package imap

import "github.com/mailwire/mailwire/internal/statetable"

// State is a connection state of RFC 3501 section 3 (RFC 9051 section 3).
type State int

// The four states of RFC 3501 section 3 and the diagram in section 3.5.
const (
	StateNotAuthenticated State = iota // section 3.1: after a greeting "* OK"
	StateAuthenticated                 // section 3.2: after LOGIN/AUTHENTICATE or "* PREAUTH"
	StateSelected                      // section 3.3: after a successful SELECT/EXAMINE
	StateLogout                        // section 3.4: after LOGOUT, "* BYE" or a closed connection
	numStates
)

var stateNames = [numStates]string{"not authenticated", "authenticated", "selected", "logout"}

// String names the state as RFC 3501 section 3 does, in lower case.
func (s State) String() string { return statetable.Name(stateNames[:], s, "unknown") }

// Outcome is what became of a command; with the state and the verb it is
// the input of Transition.
type Outcome uint8

// The outcomes of a command.
const (
	// OutcomeAccepted: the command completed with a tagged OK.
	OutcomeAccepted Outcome = iota
	// OutcomeRefused: the command completed with a tagged NO.
	OutcomeRefused
	// OutcomeTLSStarted: the STARTTLS handshake completed (RFC 3501
	// section 6.2.1).
	OutcomeTLSStarted
	// OutcomeClosed: the session ends: LOGOUT's BYE, too many errors or
	// failed logins, a command line over the limit, a hook's
	// ErrDropConnection, a broken connection, a timeout or a failed
	// handshake (RFC 3501 section 7.1.5).
	OutcomeClosed
	// OutcomeBad: the command completed with a tagged BAD; the state
	// never changes (RFC 3501 section 7.1.3).
	OutcomeBad
	numOutcomes
)

var outcomeNames = [numOutcomes]string{"accepted", "refused", "TLS started", "closed", "bad"}

// String names the outcome.
func (o Outcome) String() string { return statetable.Name(outcomeNames[:], o, "invalid") }

// outcomeOf is the outcome a tagged response of type t reports.
func outcomeOf(t StatusType) Outcome {
	switch t {
	case StatusOK:
		return OutcomeAccepted
	case StatusNO:
		return OutcomeRefused
	case StatusBYE:
		return OutcomeClosed
	}
	return OutcomeBad
}

// table[state][verb] holds every rule of the session. One table serves
// the server (which answers BAD to an illegal command) and the client
// (which refuses to send one). Unless a rule below says otherwise an
// outcome leaves the state as it was, OutcomeBad always does (RFC 3501
// section 7.1.3), and OutcomeClosed leads to StateLogout from every
// state for every verb, VerbUnknown included. Nothing is legal in
// StateLogout. The rules, from RFC 3501 sections 6.1 to 6.4 and 3.5 and
// the extensions':
//   - CAPABILITY, NOOP, LOGOUT and ID are legal in every state (6.1, RFC
//     2971 3.1); LOGOUT leads to logout whatever its tagged answer (6.1.3).
//   - STARTTLS, AUTHENTICATE and LOGIN are not-authenticated commands
//     (6.2); an accepted AUTHENTICATE or LOGIN leads to authenticated, a
//     completed STARTTLS handshake stays (6.2.1).
//   - SELECT, EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE,
//     LIST, LSUB, STATUS and APPEND are legal when authenticated and when
//     selected (6.3, 6.4 preamble), as are NAMESPACE (RFC 2342 5), IDLE
//     (RFC 2177 3) and COMPRESS (RFC 4978 3). An accepted SELECT or
//     EXAMINE leads to selected; a refused one leaves no mailbox selected,
//     so to authenticated (6.3.1).
//   - ENABLE is legal only when authenticated (RFC 5161 3.1).
//   - CHECK, CLOSE, EXPUNGE, SEARCH, FETCH, STORE, COPY and the UID forms
//     are selected commands (6.4), as are UNSELECT (RFC 3691), MOVE (RFC
//     6851 3.1), UID EXPUNGE (RFC 4315 2.1), SORT and THREAD (RFC 5256 3);
//     an accepted CLOSE or UNSELECT leads to authenticated (6.4.2).
var table = func() *statetable.Table[State, Verb, Outcome] {
	t := statetable.New(numStates, numVerbs, numOutcomes, OutcomeClosed, StateLogout)
	allow := func(states []State, verbs ...Verb) {
		for _, s := range states {
			t.Allow(s, verbs...)
		}
	}
	on := func(states []State, o Outcome, next State, verbs ...Verb) {
		for _, s := range states {
			t.On(s, o, next, verbs...)
		}
	}
	notAuth := []State{StateNotAuthenticated}
	auth := []State{StateAuthenticated}
	sel := []State{StateSelected}
	authSel := []State{StateAuthenticated, StateSelected}
	every := []State{StateNotAuthenticated, StateAuthenticated, StateSelected}

	allow(every, VerbCAPABILITY, VerbNOOP, VerbLOGOUT, VerbID)
	on(every, OutcomeAccepted, StateLogout, VerbLOGOUT)
	on(every, OutcomeRefused, StateLogout, VerbLOGOUT)

	allow(notAuth, VerbSTARTTLS, VerbAUTHENTICATE, VerbLOGIN)
	on(notAuth, OutcomeAccepted, StateAuthenticated, VerbAUTHENTICATE, VerbLOGIN)

	allow(authSel, VerbSELECT, VerbEXAMINE, VerbCREATE, VerbDELETE, VerbRENAME, VerbSUBSCRIBE,
		VerbUNSUBSCRIBE, VerbLIST, VerbLSUB, VerbSTATUS, VerbAPPEND, VerbNAMESPACE, VerbIDLE, VerbCOMPRESS)
	on(authSel, OutcomeAccepted, StateSelected, VerbSELECT, VerbEXAMINE)
	on(authSel, OutcomeRefused, StateAuthenticated, VerbSELECT, VerbEXAMINE)
	allow(auth, VerbENABLE)

	allow(sel, VerbCHECK, VerbCLOSE, VerbUNSELECT, VerbEXPUNGE, VerbSEARCH, VerbFETCH, VerbSTORE,
		VerbCOPY, VerbMOVE, VerbSORT, VerbTHREAD, VerbUIDSEARCH, VerbUIDFETCH, VerbUIDSTORE,
		VerbUIDCOPY, VerbUIDMOVE, VerbUIDEXPUNGE, VerbUIDSORT, VerbUIDTHREAD)
	on(sel, OutcomeAccepted, StateAuthenticated, VerbCLOSE, VerbUNSELECT)
	return t
}()

// Allowed reports whether verb v may be sent (client) or run (server) in
// state s.
func Allowed(s State, v Verb) bool { return table.Allowed(s, v) }

// Transition returns the state after v ended with outcome o in state s,
// and whether v is legal in s. An illegal command leaves the state as it
// was (the server answered BAD), unless the session closed.
func Transition(s State, v Verb, o Outcome) (next State, legal bool) {
	return table.Transition(s, v, o)
}

// Greeting returns the state a server greeting of type t leads to (RFC 3501
// section 7.1: OK, PREAUTH or BYE).
func Greeting(t StatusType) State {
	switch t {
	case StatusPREAUTH:
		return StateAuthenticated
	case StatusOK:
		return StateNotAuthenticated
	}
	return StateLogout
}
