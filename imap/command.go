package imap

import (
	"strings"

	"github.com/mailwire/mailwire/imap/internal/wire"
	"github.com/mailwire/mailwire/internal/statetable"
)

// Verb is an IMAP command name (RFC 3501 section 6 and extensions); the
// UID forms (section 6.4.8) are verbs of their own.
type Verb uint8

// The verbs mailwire knows. VerbUnknown stands for any other.
const (
	VerbUnknown      Verb = iota
	VerbCAPABILITY        // RFC 3501 section 6.1.1
	VerbNOOP              // RFC 3501 section 6.1.2
	VerbLOGOUT            // RFC 3501 section 6.1.3
	VerbSTARTTLS          // RFC 3501 section 6.2.1
	VerbAUTHENTICATE      // RFC 3501 section 6.2.2
	VerbLOGIN             // RFC 3501 section 6.2.3
	VerbSELECT            // RFC 3501 section 6.3.1
	VerbEXAMINE           // RFC 3501 section 6.3.2
	VerbCREATE            // RFC 3501 section 6.3.3
	VerbDELETE            // RFC 3501 section 6.3.4
	VerbRENAME            // RFC 3501 section 6.3.5
	VerbSUBSCRIBE         // RFC 3501 section 6.3.6
	VerbUNSUBSCRIBE       // RFC 3501 section 6.3.7
	VerbLIST              // RFC 3501 section 6.3.8
	VerbLSUB              // RFC 3501 section 6.3.9
	VerbSTATUS            // RFC 3501 section 6.3.10
	VerbAPPEND            // RFC 3501 section 6.3.11
	VerbCHECK             // RFC 3501 section 6.4.1
	VerbCLOSE             // RFC 3501 section 6.4.2
	VerbEXPUNGE           // RFC 3501 section 6.4.3
	VerbSEARCH            // RFC 3501 section 6.4.4
	VerbFETCH             // RFC 3501 section 6.4.5
	VerbSTORE             // RFC 3501 section 6.4.6
	VerbCOPY              // RFC 3501 section 6.4.7
	VerbUIDSEARCH         // RFC 3501 section 6.4.8
	VerbUIDFETCH          // RFC 3501 section 6.4.8
	VerbUIDSTORE          // RFC 3501 section 6.4.8
	VerbUIDCOPY           // RFC 3501 section 6.4.8
	VerbUIDMOVE           // RFC 6851 section 3.2
	VerbUIDEXPUNGE        // RFC 4315 section 2.1
	VerbUIDSORT           // RFC 5256 section 3
	VerbUIDTHREAD         // RFC 5256 section 3
	VerbIDLE              // RFC 2177 section 3
	VerbMOVE              // RFC 6851 section 3.1
	VerbNAMESPACE         // RFC 2342 section 5
	VerbID                // RFC 2971 section 3.1
	VerbENABLE            // RFC 5161 section 3.1
	VerbUNSELECT          // RFC 3691 section 2
	VerbSORT              // RFC 5256 section 3
	VerbTHREAD            // RFC 5256 section 3
	VerbCOMPRESS          // RFC 4978 section 3
	numVerbs
)

var verbNames = [numVerbs]string{"", "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "AUTHENTICATE",
	"LOGIN", "SELECT", "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST",
	"LSUB", "STATUS", "APPEND", "CHECK", "CLOSE", "EXPUNGE", "SEARCH", "FETCH", "STORE", "COPY",
	"UID SEARCH", "UID FETCH", "UID STORE", "UID COPY", "UID MOVE", "UID EXPUNGE", "UID SORT",
	"UID THREAD", "IDLE", "MOVE", "NAMESPACE", "ID", "ENABLE", "UNSELECT", "SORT", "THREAD", "COMPRESS"}

// String returns the command name as it is sent, "UID FETCH" for a UID
// form.
func (v Verb) String() string { return statetable.Name(verbNames[:], v, "UNKNOWN") }

// Command is a command as Server.BeforeCommand sees it: its tag and its
// verb (RFC 3501 section 9, command). The arguments are still unread.
type Command struct {
	Tag  string
	Verb Verb
}

// uidPrefix joins "UID" to the command it prefixes (RFC 3501 section
// 6.4.8).
const uidPrefix = "UID "

// lookupVerb finds the verb named prefix+word, word matched
// case-insensitively (RFC 3501 section 9), without allocating.
func lookupVerb(prefix string, word []byte) Verb {
	return statetable.Lookup[Verb](verbNames[:], prefix, word)
}

// equalFoldASCII reports whether b equals upper (upper case ASCII)
// ignoring case.
func equalFoldASCII(b []byte, upper string) bool { return statetable.EqualFold(b, upper) }

// readCommandHead reads the start of a command line (RFC 3501 section 9,
// command): tag SP name, with "UID" joined to the command it prefixes.
// name is the command's name in upper case ("UID FETCH"), for an unknown
// one too, so that a reply can name it. The reader is left before the
// arguments' SP, or at the CRLF.
func readCommandHead(r *wire.Reader) (cmd Command, name string, err error) {
	if cmd.Tag, err = r.Tag(); err != nil {
		return cmd, "", err
	}
	if err = r.SP(); err != nil {
		return cmd, "", err
	}
	word, err := r.AtomBytes()
	if err != nil {
		return cmd, "", err
	}
	prefix := ""
	if equalFoldASCII(word, "UID") {
		if err = r.SP(); err != nil {
			return cmd, "UID", err
		}
		if word, err = r.AtomBytes(); err != nil {
			return cmd, "UID", err
		}
		prefix = uidPrefix
	}
	if cmd.Verb = lookupVerb(prefix, word); cmd.Verb != VerbUnknown {
		return cmd, cmd.Verb.String(), nil
	}
	return cmd, prefix + strings.ToUpper(string(word)), nil
}

// writeCommandHead writes "tag NAME".
func writeCommandHead(w *wire.Writer, tag string, v Verb) {
	w.Raw(tag).SP().Raw(v.String())
}
