package smtp

import (
	"bytes"

	"github.com/mailwire/mailwire/internal/statetable"
)

// Verb is an SMTP command verb (RFC 5321 section 4.1.1 and extensions).
type Verb uint8

// The verbs mailwire knows. VerbUnknown stands for any other.
const (
	VerbUnknown Verb = iota
	VerbEHLO
	VerbHELO
	VerbLHLO // LMTP's greeting (RFC 2033 section 4.1)
	VerbMAIL
	VerbRCPT
	VerbDATA
	VerbBDAT // RFC 3030
	VerbRSET
	VerbNOOP
	VerbQUIT
	VerbVRFY
	VerbEXPN
	VerbHELP
	VerbSTARTTLS // RFC 3207
	VerbAUTH     // RFC 4954
	numVerbs
)

var verbNames = [numVerbs]string{"", "EHLO", "HELO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT",
	"RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP", "STARTTLS", "AUTH"}

// String returns the verb as it is sent.
func (v Verb) String() string { return statetable.Name(verbNames[:], v, "UNKNOWN") }

// Command is a command line as Server.BeforeCommand sees it: the verb
// and the argument after it (RFC 5321 4.1.1), "" for none. AUTH's
// argument holds the initial response, a credential (RFC 4954 section
// 4).
type Command struct {
	Verb Verb
	Arg  string
}

// lookupVerb finds the verb of a command line case-insensitively (RFC 5321
// 2.4) without allocating.
func lookupVerb(word []byte) Verb { return statetable.Lookup[Verb](verbNames[:], "", word) }

// equalFoldASCII reports whether b equals upper (upper case ASCII) ignoring case.
func equalFoldASCII(b []byte, upper string) bool { return statetable.EqualFold(b, upper) }

// splitCommand splits a command line (without CRLF) into its verb and the
// argument after one or more spaces (RFC 5321 4.1.1: verb SP argument).
func splitCommand(line []byte) (Verb, []byte) {
	i := bytes.IndexByte(line, ' ')
	if i < 0 {
		return lookupVerb(line), nil
	}
	v := lookupVerb(line[:i])
	return v, bytes.TrimLeft(line[i+1:], " ")
}

// syntaxError is a 501 reply for a malformed argument (RFC 5321 4.2.2,
// RFC 3463 5.5.4 "Invalid command arguments").
func syntaxError(text string) *Reply {
	return NewReply(CodeParameterSyntaxError, EnhancedInvalidArguments, text)
}

// badAddress is a 501 reply for a malformed mailbox (RFC 3463 5.1.3 "Bad
// destination mailbox address syntax"; 5.1.7 for the sender).
func badAddress(sender bool, text string) *Reply {
	if sender {
		return NewReply(CodeParameterSyntaxError, EnhancedBadSenderSyntax, text)
	}
	return NewReply(CodeParameterSyntaxError, EnhancedBadMailboxSyntax, text)
}

// cutPrefixFold removes prefix (upper case) from s ignoring case.
func cutPrefixFold(s []byte, prefix string) ([]byte, bool) {
	if len(s) < len(prefix) || !equalFoldASCII(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// parseMailArg parses the argument of MAIL: "FROM:" Reverse-path [SP
// Mail-parameters] (RFC 5321 4.1.1.2). A space after the colon is tolerated,
// as most servers do. The returned path is "" for the null path "<>".
func parseMailArg(arg []byte, allowUTF8 bool) (string, *MailOptions, *Reply) {
	rest, ok := cutPrefixFold(arg, "FROM:")
	if !ok {
		return "", nil, syntaxError("Syntax: MAIL FROM:<address>")
	}
	rest = bytes.TrimLeft(rest, " ")
	params, opts := parseParamList(rest)
	if opts == nil {
		return "", nil, syntaxError("Syntax: MAIL FROM:<address> [parameters]")
	}
	mo, perr := parseMailParams(params)
	if perr != nil {
		return "", nil, perr
	}
	path, r := parsePath(opts, true, allowUTF8 && mo.UTF8)
	if r != nil {
		return "", nil, r
	}
	return path, mo, nil
}

// parseRcptArg parses the argument of RCPT: "TO:" ( "<Postmaster@" Domain
// ">" / "<Postmaster>" / Forward-path ) [SP Rcpt-parameters] (RFC 5321
// 4.1.1.3).
func parseRcptArg(arg []byte, allowUTF8 bool) (string, *RcptOptions, *Reply) {
	rest, ok := cutPrefixFold(arg, "TO:")
	if !ok {
		return "", nil, syntaxError("Syntax: RCPT TO:<address>")
	}
	rest = bytes.TrimLeft(rest, " ")
	params, pathBytes := parseParamList(rest)
	if pathBytes == nil {
		return "", nil, syntaxError("Syntax: RCPT TO:<address> [parameters]")
	}
	ro, perr := parseRcptParams(params)
	if perr != nil {
		return "", nil, perr
	}
	if equalFoldASCII(pathBytes, "<POSTMASTER>") {
		return string(pathBytes[1 : len(pathBytes)-1]), ro, nil
	}
	path, r := parsePath(pathBytes, false, allowUTF8)
	if r != nil {
		return "", nil, r
	}
	if path == "" {
		return "", nil, badAddress(false, "Null path is not a recipient")
	}
	return path, ro, nil
}

// parseBDATArg parses "BDAT" SP chunk-size [ SP end-marker ] (RFC 3030 2).
func parseBDATArg(arg []byte) (size int64, last bool, ok bool) {
	num, marker, _ := bytes.Cut(arg, []byte{' '})
	if len(num) == 0 || len(num) > 18 {
		return 0, false, false
	}
	for _, c := range num {
		if c < '0' || c > '9' {
			return 0, false, false
		}
		size = size*10 + int64(c-'0')
	}
	switch {
	case len(marker) == 0:
		return size, false, true
	case equalFoldASCII(bytes.TrimRight(marker, " "), "LAST"):
		return size, true, true
	}
	return size, false, false
}
