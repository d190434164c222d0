package pop3

import (
	"errors"
	"strings"

	"github.com/mailwire/mailwire/internal/statetable"
)

// Verb is a POP3 command keyword.
type Verb uint8

// The commands of RFC 1939 and its extensions.
const (
	VerbUnknown Verb = iota
	VerbUSER         // RFC 1939 section 7
	VerbPASS         // RFC 1939 section 7
	VerbAPOP         // RFC 1939 section 7
	VerbAUTH         // RFC 5034 section 4
	VerbSTLS         // RFC 2595 section 4
	VerbCAPA         // RFC 2449 section 5
	VerbUTF8         // RFC 6856 section 2.1
	VerbSTAT         // RFC 1939 section 5
	VerbLIST         // RFC 1939 section 5
	VerbRETR         // RFC 1939 section 5
	VerbDELE         // RFC 1939 section 5
	VerbNOOP         // RFC 1939 section 5
	VerbRSET         // RFC 1939 section 5
	VerbTOP          // RFC 1939 section 7
	VerbUIDL         // RFC 1939 section 7
	VerbQUIT         // RFC 1939 sections 4 and 6
	numVerbs
)

var verbNames = [numVerbs]string{"", "USER", "PASS", "APOP", "AUTH", "STLS", "CAPA", "UTF8",
	"STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "TOP", "UIDL", "QUIT"}

// String returns the keyword in upper case, "" for VerbUnknown.
func (v Verb) String() string { return statetable.Name(verbNames[:], v, "") }

// lookupVerb matches a keyword case-insensitively (RFC 1939 section 3).
func lookupVerb(word string) Verb { return statetable.Lookup[Verb](verbNames[:], "", word) }

// Command is one parsed command line.
type Command struct {
	Verb Verb
	// Args are the space-separated arguments. PASS has at most one, which
	// may contain spaces (RFC 1939 section 7 lets a server take the rest of
	// the line as the password).
	Args []string
}

// Errors from ParseCommand.
var (
	ErrUnknownCommand = errors.New("pop3: unknown command")
	ErrSyntax         = errors.New("pop3: syntax error")
)

// maxArgs bounds the arguments any command takes (TOP msg n, AUTH mech ir).
const maxArgs = 2

// ParseCommand parses a command line without its CRLF (RFC 1939 section 3:
// a keyword of three or four characters, then arguments separated by a
// single space). An unknown keyword yields ErrUnknownCommand with the Verb
// left VerbUnknown; empty arguments (two spaces in a row, a trailing space)
// or too many arguments yield ErrSyntax with the Verb set, so that the
// server can still tell which command was refused. Arity per command is the
// server's concern.
func ParseCommand(line []byte) (Command, error) {
	s := string(line)
	word, rest, hasArgs := strings.Cut(s, " ")
	cmd := Command{Verb: lookupVerb(word)}
	if cmd.Verb == VerbUnknown {
		return cmd, ErrUnknownCommand
	}
	if !hasArgs {
		return cmd, nil
	}
	if cmd.Verb == VerbPASS {
		if rest == "" {
			return cmd, ErrSyntax
		}
		cmd.Args = []string{rest}
		return cmd, nil
	}
	for {
		arg, more, found := strings.Cut(rest, " ")
		if arg == "" || len(cmd.Args) == maxArgs {
			cmd.Args = nil
			return cmd, ErrSyntax
		}
		cmd.Args = append(cmd.Args, arg)
		if !found {
			return cmd, nil
		}
		rest = more
	}
}

// String formats the command as it is sent, without CRLF.
func (c Command) String() string {
	var b strings.Builder
	b.WriteString(c.Verb.String())
	for _, a := range c.Args {
		b.WriteByte(' ')
		b.WriteString(a)
	}
	return b.String()
}

// parseDecimal parses a non-negative decimal of at most 9 significant
// digits, so that it never overflows.
func parseDecimal(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > 99_999_999 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
