package pop3

import "github.com/mailwire/mailwire/internal/statetable"

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
func (s State) String() string { return statetable.Name(stateNames[:], s, "INVALID") }

// Outcome is what became of a command; with the state and the verb it is
// the input of Transition.
type Outcome uint8

// The outcomes of a command.
const (
	// OutcomeAccepted: the server answered +OK.
	OutcomeAccepted Outcome = iota
	// OutcomeRefused: the server answered -ERR.
	OutcomeRefused
	// OutcomeTLSStarted: the STLS handshake completed (RFC 2595 section 4).
	OutcomeTLSStarted
	// OutcomeClosed: the session ends: QUIT's reply in AUTHORIZATION, a
	// hook's ErrDropConnection, too many errors or failed logins, a
	// broken connection, the autologout timer or a failed handshake.
	OutcomeClosed
	numOutcomes
)

var outcomeNames = [numOutcomes]string{"accepted", "refused", "TLS started", "closed"}

// String names the outcome.
func (o Outcome) String() string { return statetable.Name(outcomeNames[:], o, "invalid") }

// table[state][verb] holds every rule of the session. One table serves
// the server (which answers -ERR to an illegal command) and the client
// (which refuses to send one). Unless a rule below says otherwise an
// outcome leaves the state as it was, and OutcomeClosed leads to
// StateClosed from every state for every verb, VerbUnknown included. The
// rules:
//   - USER, PASS, APOP and AUTH are AUTHORIZATION commands (RFC 1939 7, RFC
//     5034 4); PASS, APOP and a finished AUTH lead to TRANSACTION when
//     accepted (RFC 1939 4).
//   - STLS and UTF8 are AUTHORIZATION commands (RFC 2595 4, RFC 6856 2.1);
//     a completed STLS handshake stays in AUTHORIZATION (RFC 2595 4).
//   - CAPA is legal in AUTHORIZATION and TRANSACTION (RFC 2449 5).
//   - STAT, LIST, RETR, DELE, NOOP, RSET, TOP and UIDL are TRANSACTION
//     commands (RFC 1939 5 and 7).
//   - QUIT accepted in AUTHORIZATION ends the session without UPDATE (RFC
//     1939 4); accepted in TRANSACTION it enters UPDATE (RFC 1939 6).
//   - In UPDATE the server applies the deletions and answers QUIT; that
//     answer is QUIT's outcome in UPDATE, and whether +OK or -ERR the
//     session ends (RFC 1939 6). QUIT is the only input UPDATE takes;
//     nothing is read from the client there.
var table = func() *statetable.Table[State, Verb, Outcome] {
	t := statetable.New(numStates, numVerbs, numOutcomes, OutcomeClosed, StateClosed)
	t.Allow(StateAuthorization, VerbUSER, VerbPASS, VerbAPOP, VerbAUTH, VerbSTLS, VerbUTF8, VerbCAPA, VerbQUIT)
	t.On(StateAuthorization, OutcomeAccepted, StateTransaction, VerbPASS, VerbAPOP, VerbAUTH)
	t.On(StateAuthorization, OutcomeAccepted, StateClosed, VerbQUIT)
	t.Allow(StateTransaction, VerbCAPA, VerbSTAT, VerbLIST, VerbRETR, VerbDELE,
		VerbNOOP, VerbRSET, VerbTOP, VerbUIDL, VerbQUIT)
	t.On(StateTransaction, OutcomeAccepted, StateUpdate, VerbQUIT)
	t.Allow(StateUpdate, VerbQUIT)
	t.On(StateUpdate, OutcomeAccepted, StateClosed, VerbQUIT)
	t.On(StateUpdate, OutcomeRefused, StateClosed, VerbQUIT)
	return t
}()

// Allowed reports whether verb v may be sent (client) or run (server) in
// state s.
func Allowed(s State, v Verb) bool { return table.Allowed(s, v) }

// Transition returns the state after v ended with outcome o in state s,
// and whether v is legal in s. An illegal command leaves the state as it
// was, unless the session closed.
func Transition(s State, v Verb, o Outcome) (next State, legal bool) {
	return table.Transition(s, v, o)
}
