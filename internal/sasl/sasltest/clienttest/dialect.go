package clienttest

import "errors"

// Dialect is what the fake server knows of one protocol: its replies and
// how it frames AUTH. "{mechs}" in Greeting or a reply stands for the
// offered mechanisms, each after MechPrefix, separated by spaces.
type Dialect struct {
	// Greeting is the server's first reply.
	Greeting string
	// Replies answer the commands other than Auth, by verb in upper
	// case; Unknown answers the rest.
	Replies map[string]string
	Unknown string
	// Tagged says that each command starts with a tag that its final
	// reply repeats (IMAP, RFC 3501 section 2.2.1).
	Tagged bool
	// Auth is the command's verb ("AUTH", "AUTHENTICATE"), followed by the
	// mechanism and perhaps the initial response.
	Auth string
	// Challenge prefixes each challenge: "334 " or "+ ".
	Challenge string
	// MechPrefix goes before each mechanism in "{mechs}": "AUTH=" in an
	// IMAP capability list.
	MechPrefix string
	// Success and Failure are the final replies of an AUTH; Cancelled,
	// if not "", that of one the client cancelled with "*".
	Success, Failure, Cancelled string
}

// SMTP: EHLO lists the mechanisms (RFC 4954 section 3), challenges are
// 334 replies (section 4), 535 refuses (section 6).
var SMTP = Dialect{
	Greeting: "220 fake ESMTP", Unknown: "500 what",
	Replies: map[string]string{"EHLO": "250-fake\r\n250 AUTH {mechs}", "NOOP": "250 ok"},
	Auth:    "AUTH", Challenge: "334 ", Success: "235 2.7.0 Authentication successful", Failure: "535 5.7.8 Authentication credentials invalid",
}

// IMAP: the greeting lists the capabilities, SASL-IR (RFC 4959) and the
// mechanisms among them; challenges are "+ " continuations, NO refuses
// and BAD answers a cancelled exchange (RFC 3501 section 6.2.2).
var IMAP = Dialect{
	Greeting: "* OK [CAPABILITY IMAP4rev1 SASL-IR {mechs}] fake IMAP", Tagged: true,
	Replies: map[string]string{"NOOP": "OK done"}, Unknown: "BAD what",
	Auth: "AUTHENTICATE", MechPrefix: "AUTH=", Challenge: "+ ",
	Success: "OK authenticated", Failure: "NO [AUTHENTICATIONFAILED] failed", Cancelled: "BAD cancelled",
}

// POP3: CAPA lists the mechanisms (RFC 5034 section 5), challenges are
// "+ " lines (section 4), -ERR [AUTH] refuses (RFC 3206 section 4).
var POP3 = Dialect{
	Greeting: "+OK fake POP3", Unknown: "-ERR what",
	Replies: map[string]string{"CAPA": "+OK\r\nSASL {mechs}\r\n.", "NOOP": "+OK"},
	Auth:    "AUTH", Challenge: "+ ", Success: "+OK maildrop ready", Failure: "-ERR [AUTH] Authentication failed",
}

// Refusal reports whether err is, or wraps, a reply of type R for which
// refused is true: the Client.Refused of a package, whose reply to
// Dialect.Failure is 535 (RFC 4954 section 6), -ERR [AUTH] (RFC 3206
// section 4) or a tagged NO (RFC 3501 section 6.2.2).
func Refusal[R error](err error, refused func(R) bool) bool {
	var r R
	return errors.As(err, &r) && refused(r)
}
