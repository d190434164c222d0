package pop3

// State is where a POP3 session stands (RFC 1939 section 3).
type State uint8

// The states of a session.
const (
	// StateAuthorization: after the greeting, until the client identified
	// itself (RFC 1939 section 4).
	StateAuthorization State = iota
	// StateTransaction: the maildrop is open and locked; messages may be
	// listed, retrieved and marked deleted (RFC 1939 section 5).
	StateTransaction
	// StateUpdate: QUIT was given in TRANSACTION; the deletions are applied
	// and the session ends (RFC 1939 section 6).
	StateUpdate
	// StateClosed: the session is over (QUIT in AUTHORIZATION, after
	// UPDATE, or a broken connection).
	StateClosed
	numStates
)

var stateNames = [numStates]string{"AUTHORIZATION", "TRANSACTION", "UPDATE", "CLOSED"}

// String names the state as RFC 1939 does.
func (s State) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return "INVALID"
}

// stay marks a command that is legal in a state and leaves it unchanged.
const stay = numStates

// transitions[state][verb] is the state after a successful command, stay
// for no change; legal false marks a command the state does not allow. One
// table serves the server (which answers -ERR) and the client (which
// refuses to send). The rules:
//   - USER, PASS, APOP and AUTH are AUTHORIZATION commands (RFC 1939 7, RFC
//     5034 4); PASS, APOP and a finished AUTH lead to TRANSACTION.
//   - STLS and UTF8 are AUTHORIZATION commands (RFC 2595 4, RFC 6856 2.1).
//   - CAPA is legal in AUTHORIZATION and TRANSACTION (RFC 2449 5).
//   - STAT, LIST, RETR, DELE, NOOP, RSET, TOP and UIDL are TRANSACTION
//     commands (RFC 1939 5 and 7).
//   - QUIT ends the session from AUTHORIZATION and enters UPDATE from
//     TRANSACTION (RFC 1939 4 and 6).
var transitions = func() (t [numStates][numVerbs]struct {
	next  State
	legal bool
}) {
	set := func(s, next State, verbs ...Verb) {
		for _, v := range verbs {
			t[s][v].next, t[s][v].legal = next, true
		}
	}
	set(StateAuthorization, stay, VerbUSER, VerbSTLS, VerbUTF8, VerbCAPA)
	set(StateAuthorization, StateTransaction, VerbPASS, VerbAPOP, VerbAUTH)
	set(StateAuthorization, StateClosed, VerbQUIT)
	set(StateTransaction, stay, VerbCAPA, VerbSTAT, VerbLIST, VerbRETR, VerbDELE,
		VerbNOOP, VerbRSET, VerbTOP, VerbUIDL)
	set(StateTransaction, StateUpdate, VerbQUIT)
	return t
}()

// Transition reports whether verb v is legal in state s and, if so, the
// state after it succeeds. A failed command leaves the state as it was;
// UPDATE always ends in StateClosed, whatever the outcome.
func Transition(s State, v Verb) (next State, legal bool) {
	if s >= numStates || v >= numVerbs {
		return s, false
	}
	e := transitions[s][v]
	switch {
	case !e.legal:
		return s, false
	case e.next == stay:
		return s, true
	}
	return e.next, true
}
