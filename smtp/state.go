package smtp

// State is where an SMTP session stands (RFC 5321 section 4.1.4 and 3.3):
// before the client's greeting, between transactions, inside a mail
// transaction, or inside a chunked BDAT transfer (RFC 3030).
type State uint8

// The states of a session.
const (
	// StateGreeted: the server sent its 220; the client has not yet sent
	// EHLO or HELO (or has sent STARTTLS, which forgets the earlier EHLO,
	// RFC 3207 section 4.2).
	StateGreeted State = iota
	// StateReady: EHLO or HELO was accepted; no transaction is open.
	StateReady
	// StateMail: MAIL was accepted; no recipient yet.
	StateMail
	// StateRcpt: at least one RCPT was accepted; DATA or BDAT may follow.
	StateRcpt
	// StateBDAT: one or more BDAT chunks were accepted, the LAST one not
	// yet (RFC 3030 section 2).
	StateBDAT
	// StateClosed: QUIT was accepted or the connection was closed.
	StateClosed
	numStates
)

var stateNames = [numStates]string{"greeted", "ready", "mail", "rcpt", "bdat", "closed"}

// String names the state.
func (s State) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return "invalid"
}

// stay marks a verb that is legal in a state and leaves it unchanged.
const stay = numStates

// transitions[state][verb] is the state that follows a successful command,
// stay for no change, and 0 with legal false for an out-of-sequence one.
// A single table serves the server (which answers 503 5.5.1 to an illegal
// command) and the client (which refuses to send one).
//
// The rules, all from RFC 5321 unless marked:
//   - NOOP, HELP, VRFY, EXPN, RSET and QUIT are legal at any time
//     (4.1.4); RSET ends a transaction but keeps the greeting.
//   - EHLO and HELO are legal at any time and reset a transaction (4.1.4).
//   - MAIL needs a greeting and no open transaction (3.3, 4.1.4).
//   - RCPT needs MAIL (3.3); DATA needs a recipient (3.3).
//   - BDAT needs a recipient, and is the only data command once chunking
//     started (RFC 3030 section 2); DATA ends a transaction.
//   - STARTTLS and AUTH need EHLO and no transaction (RFC 3207 4, RFC 4954
//     4: AUTH is not allowed during a mail transaction).
var transitions = func() (t [numStates][numVerbs]struct {
	next  State
	legal bool
}) {
	set := func(s State, next State, verbs ...Verb) {
		for _, v := range verbs {
			t[s][v].next, t[s][v].legal = next, true
		}
	}
	for s := StateGreeted; s < StateClosed; s++ {
		set(s, stay, VerbNOOP, VerbHELP, VerbVRFY, VerbEXPN)
		set(s, StateClosed, VerbQUIT)
		set(s, StateReady, VerbEHLO, VerbHELO, VerbLHLO)
	}
	set(StateGreeted, stay, VerbRSET)
	for s := StateReady; s < StateClosed; s++ {
		set(s, StateReady, VerbRSET)
	}
	set(StateReady, StateMail, VerbMAIL)
	set(StateReady, stay, VerbSTARTTLS, VerbAUTH)
	set(StateMail, StateRcpt, VerbRCPT)
	set(StateRcpt, StateRcpt, VerbRCPT)
	set(StateRcpt, StateReady, VerbDATA)
	set(StateRcpt, StateBDAT, VerbBDAT)
	set(StateBDAT, StateBDAT, VerbBDAT)
	return t
}()

// Transition reports whether verb is legal in state s and, if so, the state
// after it succeeds. STARTTLS's success leads back to StateGreeted (RFC 3207
// 4.2); a BDAT with LAST and a DATA whose message was accepted or refused
// end the transaction in StateReady: use EndTransaction for those.
func Transition(s State, v Verb) (next State, legal bool) {
	if s >= numStates || v >= numVerbs {
		return s, false
	}
	e := transitions[s][v]
	if !e.legal {
		return s, false
	}
	if v == VerbSTARTTLS {
		return StateGreeted, true
	}
	if e.next == stay {
		return s, true
	}
	return e.next, true
}

// EndTransaction is the state after a message (DATA's terminator or the
// LAST BDAT chunk) has been answered, whatever the answer: RFC 5321 4.1.1.4
// ends the transaction either way.
const EndTransaction = StateReady
