package imap

// State is a connection state of RFC 3501 section 3 (RFC 9051 section 3).
type State int

// The four states of RFC 3501 section 3 and the diagram in section 3.5.
const (
	StateNotAuthenticated State = iota // section 3.1: after a greeting "* OK"
	StateAuthenticated                 // section 3.2: after LOGIN/AUTHENTICATE or "* PREAUTH"
	StateSelected                      // section 3.3: after a successful SELECT/EXAMINE
	StateLogout                        // section 3.4: after LOGOUT, "* BYE" or a closed connection
)

func (s State) String() string {
	switch s {
	case StateNotAuthenticated:
		return "not authenticated"
	case StateAuthenticated:
		return "authenticated"
	case StateSelected:
		return "selected"
	case StateLogout:
		return "logout"
	}
	return "unknown"
}

// Command names, as sent on the wire. UID forms are "UID FETCH" and so on.
const (
	CmdCapability   = "CAPABILITY"
	CmdNoop         = "NOOP"
	CmdLogout       = "LOGOUT"
	CmdStartTLS     = "STARTTLS"
	CmdAuthenticate = "AUTHENTICATE"
	CmdLogin        = "LOGIN"
	CmdSelect       = "SELECT"
	CmdExamine      = "EXAMINE"
	CmdCreate       = "CREATE"
	CmdDelete       = "DELETE"
	CmdRename       = "RENAME"
	CmdSubscribe    = "SUBSCRIBE"
	CmdUnsubscribe  = "UNSUBSCRIBE"
	CmdList         = "LIST"
	CmdLsub         = "LSUB"
	CmdStatus       = "STATUS"
	CmdAppend       = "APPEND"
	CmdCheck        = "CHECK"
	CmdClose        = "CLOSE"
	CmdExpunge      = "EXPUNGE"
	CmdSearch       = "SEARCH"
	CmdFetch        = "FETCH"
	CmdStore        = "STORE"
	CmdCopy         = "COPY"
	CmdUIDSearch    = "UID SEARCH"
	CmdUIDFetch     = "UID FETCH"
	CmdUIDStore     = "UID STORE"
	CmdUIDCopy      = "UID COPY"
	CmdUIDMove      = "UID MOVE"    // RFC 6851
	CmdUIDExpunge   = "UID EXPUNGE" // RFC 4315 section 2.1
	CmdUIDSort      = "UID SORT"    // RFC 5256
	CmdUIDThread    = "UID THREAD"  // RFC 5256
	CmdIdle         = "IDLE"        // RFC 2177
	CmdMove         = "MOVE"        // RFC 6851
	CmdNamespace    = "NAMESPACE"   // RFC 2342
	CmdID           = "ID"          // RFC 2971
	CmdEnable       = "ENABLE"      // RFC 5161
	CmdUnselect     = "UNSELECT"    // RFC 3691
	CmdSort         = "SORT"        // RFC 5256
	CmdThread       = "THREAD"      // RFC 5256
	CmdCompress     = "COMPRESS"    // RFC 4978
)

// stateSet is a bit set of States.
type stateSet uint8

const (
	inNotAuth stateSet = 1 << StateNotAuthenticated
	inAuth    stateSet = 1 << StateAuthenticated
	inSel     stateSet = 1 << StateSelected
	inAny              = inNotAuth | inAuth | inSel
	inAuthSel          = inAuth | inSel
)

// transition says where a command is legal and which state follows its
// tagged OK and its tagged NO. keep means "the state does not change".
type transition struct {
	legal   stateSet
	onOK    State
	onNO    State
	changes bool // onOK/onNO apply; otherwise the state is kept
}

// transitions is the table of RFC 3501 sections 6.1 to 6.4 and 3.5, with
// the extensions' own rules cited by each.
var transitions = map[string]transition{
	// Section 6.1: any state.
	CmdCapability: {legal: inAny},
	CmdNoop:       {legal: inAny},
	CmdLogout:     {legal: inAny, changes: true, onOK: StateLogout, onNO: StateLogout},
	CmdID:         {legal: inAny}, // RFC 2971 section 3.1

	// Section 6.2: not authenticated.
	CmdStartTLS:     {legal: inNotAuth},
	CmdAuthenticate: {legal: inNotAuth, changes: true, onOK: StateAuthenticated, onNO: StateNotAuthenticated},
	CmdLogin:        {legal: inNotAuth, changes: true, onOK: StateAuthenticated, onNO: StateNotAuthenticated},

	// Section 6.3: authenticated (and selected, section 6.4 preamble).
	// A failed SELECT or EXAMINE leaves no mailbox selected (6.3.1).
	CmdSelect:      {legal: inAuthSel, changes: true, onOK: StateSelected, onNO: StateAuthenticated},
	CmdExamine:     {legal: inAuthSel, changes: true, onOK: StateSelected, onNO: StateAuthenticated},
	CmdCreate:      {legal: inAuthSel},
	CmdDelete:      {legal: inAuthSel},
	CmdRename:      {legal: inAuthSel},
	CmdSubscribe:   {legal: inAuthSel},
	CmdUnsubscribe: {legal: inAuthSel},
	CmdList:        {legal: inAuthSel},
	CmdLsub:        {legal: inAuthSel},
	CmdStatus:      {legal: inAuthSel},
	CmdAppend:      {legal: inAuthSel},
	CmdNamespace:   {legal: inAuthSel}, // RFC 2342 section 5
	CmdEnable:      {legal: inAuth},    // RFC 5161 section 3.1
	CmdIdle:        {legal: inAuthSel}, // RFC 2177 section 3
	CmdCompress:    {legal: inAuthSel}, // RFC 4978 section 3

	// Section 6.4: selected.
	CmdCheck:      {legal: inSel},
	CmdClose:      {legal: inSel, changes: true, onOK: StateAuthenticated, onNO: StateSelected},
	CmdUnselect:   {legal: inSel, changes: true, onOK: StateAuthenticated, onNO: StateSelected}, // RFC 3691
	CmdExpunge:    {legal: inSel},
	CmdSearch:     {legal: inSel},
	CmdFetch:      {legal: inSel},
	CmdStore:      {legal: inSel},
	CmdCopy:       {legal: inSel},
	CmdMove:       {legal: inSel}, // RFC 6851 section 3.1
	CmdSort:       {legal: inSel}, // RFC 5256 section 3
	CmdThread:     {legal: inSel},
	CmdUIDSearch:  {legal: inSel},
	CmdUIDFetch:   {legal: inSel},
	CmdUIDStore:   {legal: inSel},
	CmdUIDCopy:    {legal: inSel},
	CmdUIDMove:    {legal: inSel},
	CmdUIDExpunge: {legal: inSel}, // RFC 4315 section 2.1
	CmdUIDSort:    {legal: inSel},
	CmdUIDThread:  {legal: inSel},
}

// Commands lists every command the table knows, for exhaustive tests and
// for a server's "unknown command" check.
func Commands() []string {
	out := make([]string, 0, len(transitions))
	for name := range transitions {
		out = append(out, name)
	}
	return out
}

// Allowed reports whether command name (upper case, "UID FETCH" for UID
// forms) may be issued in state s. Unknown commands are never allowed.
func Allowed(s State, name string) bool {
	t, ok := transitions[name]
	return ok && s != StateLogout && t.legal&(1<<s) != 0
}

// Next returns the state after command name completed with a tagged
// response of type result in state s. BYE always leads to logout, a BAD
// never changes the state, and a command that is not allowed in s leaves
// it as it is (the server answered BAD).
func Next(s State, name string, result StatusType) State {
	if result == StatusBYE {
		return StateLogout
	}
	t, ok := transitions[name]
	if !ok || !Allowed(s, name) || !t.changes || result == StatusBAD {
		return s
	}
	if result == StatusOK {
		return t.onOK
	}
	return t.onNO
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
