package smtp

import "github.com/mailwire/mailwire/internal/statetable"

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
func (s State) String() string { return statetable.Name(stateNames[:], s, "invalid") }

// Outcome is what became of a command; with the state and the verb it is
// the input of Transition.
type Outcome uint8

// The outcomes of a command.
const (
	// OutcomeAccepted: the reply the command expects, 2xx, or 354 to
	// DATA (RFC 5321 4.2.1); for BDAT without LAST, the 250 to the chunk.
	OutcomeAccepted Outcome = iota
	// OutcomeRefused: a 4xx or 5xx reply (RFC 5321 4.2.1).
	OutcomeRefused
	// OutcomeTLSStarted: the STARTTLS handshake completed (RFC 3207 4.2).
	OutcomeTLSStarted
	// OutcomeClosed: the session ends: QUIT's reply, a 421 (RFC 5321
	// 3.8), a BeforeCommand hook's ErrDropConnection, a broken connection
	// or a failed handshake. It need not follow a command: VerbUnknown
	// stands for none (too many errors, a timeout, a read error).
	OutcomeClosed
	// OutcomeMessageEnded: the DATA terminator or the BDAT LAST chunk was
	// answered, whatever the answer (RFC 5321 4.1.1.4, RFC 3030 2).
	OutcomeMessageEnded
	numOutcomes
)

var outcomeNames = [numOutcomes]string{"accepted", "refused", "tls-started", "closed", "message-ended"}

// String names the outcome.
func (o Outcome) String() string { return statetable.Name(outcomeNames[:], o, "invalid") }

// table[state][verb] holds every rule of the session; Transition only
// looks it up. A single table serves the server (which answers 503 5.5.1
// to an illegal command) and the client (which refuses to send one).
//
// The rules, all from RFC 5321 unless marked:
//   - NOOP, HELP, VRFY, EXPN, RSET and QUIT are legal at any time
//     (4.1.4); an accepted RSET ends a transaction but keeps the greeting
//     (4.1.1.5); QUIT's 221 closes the session (4.1.1.10).
//   - EHLO and HELO (LHLO, RFC 2033 4.1) are legal at any time; accepted,
//     they reset a transaction (4.1.4).
//   - MAIL needs a greeting and no open transaction (3.3, 4.1.4).
//   - RCPT needs MAIL (3.3); DATA needs a recipient (3.3). DATA's 354
//     keeps the transaction open; the answer to the message ends it,
//     whatever the answer (4.1.1.4).
//   - BDAT needs a recipient, and is the only data command once chunking
//     started (RFC 3030 2). An accepted chunk enters StateBDAT; the
//     answer to LAST ends the transaction. A refused chunk fails the
//     transaction and no chunk may follow (RFC 3030 2): once chunks were
//     accepted it ends in StateReady (the server also counts a transfer
//     cut short by another command as such), while a refused first chunk
//     leaves the transaction as it was.
//   - STARTTLS and AUTH need EHLO and no transaction (RFC 3207 4, RFC 4954
//     4: AUTH is not allowed during a mail transaction). The completed
//     handshake leads back to StateGreeted (RFC 3207 4.2).
//   - A refused command, and an outcome a verb does not have, keep the
//     state; OutcomeClosed leads to StateClosed from every state, after
//     every verb, legal or not. Nothing is legal in StateClosed.
var table = func() *statetable.Table[State, Verb, Outcome] {
	t := statetable.New(numStates, numVerbs, numOutcomes, OutcomeClosed, StateClosed)
	// on makes verbs legal in s and sets the state after outcome o.
	on := func(s State, o Outcome, next State, verbs ...Verb) {
		t.Allow(s, verbs...)
		t.On(s, o, next, verbs...)
	}
	for s := StateGreeted; s < StateClosed; s++ {
		on(s, OutcomeAccepted, s, VerbNOOP, VerbHELP, VerbVRFY, VerbEXPN)
		on(s, OutcomeAccepted, StateClosed, VerbQUIT)
		on(s, OutcomeAccepted, StateReady, VerbEHLO, VerbHELO, VerbLHLO, VerbRSET)
	}
	on(StateGreeted, OutcomeAccepted, StateGreeted, VerbRSET)
	on(StateReady, OutcomeAccepted, StateMail, VerbMAIL)
	on(StateReady, OutcomeAccepted, StateReady, VerbAUTH)
	on(StateReady, OutcomeTLSStarted, StateGreeted, VerbSTARTTLS)
	on(StateMail, OutcomeAccepted, StateRcpt, VerbRCPT)
	on(StateRcpt, OutcomeAccepted, StateRcpt, VerbRCPT, VerbDATA)
	on(StateRcpt, OutcomeAccepted, StateBDAT, VerbBDAT)
	on(StateRcpt, OutcomeMessageEnded, StateReady, VerbDATA, VerbBDAT)
	on(StateBDAT, OutcomeAccepted, StateBDAT, VerbBDAT)
	on(StateBDAT, OutcomeRefused, StateReady, VerbBDAT)
	on(StateBDAT, OutcomeMessageEnded, StateReady, VerbBDAT)
	return t
}()

// Allowed reports whether verb v may be sent (client) or run (server) in
// state s.
func Allowed(s State, v Verb) bool { return table.Allowed(s, v) }

// Transition returns the state after v ended with outcome o in state s,
// and whether v is legal in s. An illegal verb keeps the state, unless
// the outcome is OutcomeClosed.
func Transition(s State, v Verb, o Outcome) (next State, legal bool) {
	return table.Transition(s, v, o)
}
