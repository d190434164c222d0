package imapmaildir

import (
	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// systemFlags are the flags of RFC 3501 section 2.3.2 that every
// mailbox defines; the Store keeps them as the info letters S, R, F, T
// and D.
var systemFlags = []imap.Flag{imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagSeen, imap.FlagDraft}

// maxKeywords is how many keywords a Maildir folder holds: the info
// letters a to z of dovecot-keywords.
const maxKeywords = len(maildir.Keywords{})

// storeFlags converts IMAP flags to the Store's strings, leaving out
// \Recent, which the server keeps per session (RFC 3501 section 2.3.2).
func storeFlags(flags []imap.Flag) []string {
	out := make([]string, 0, len(flags))
	for _, f := range flags {
		if !f.Equal(imap.FlagRecent) {
			out = append(out, string(f))
		}
	}
	return out
}

// imapFlags converts the Store's flags of a message to IMAP flags.
func imapFlags(flags []string) []imap.Flag {
	out := make([]imap.Flag, len(flags))
	for i, f := range flags {
		out[i] = imap.Flag(f)
	}
	return out
}

// definedFlags are the FLAGS of a mailbox (RFC 3501 section 7.2.6): the
// system flags and the keywords defined in the folder.
func definedFlags(keywords []string) []imap.Flag {
	out := append([]imap.Flag(nil), systemFlags...)
	return append(out, imapFlags(keywords)...)
}

// permanentFlags are the PERMANENTFLAGS of a mailbox (RFC 3501 section
// 7.1): every defined flag, and \* while a keyword letter is free, so
// that STORE may create keywords; with all 26 in use only those stored
// can be set, and a new one answers NO [LIMIT].
func permanentFlags(keywords []string) []imap.Flag {
	out := definedFlags(keywords)
	if len(keywords) < maxKeywords {
		out = append(out, imap.FlagWildcard)
	}
	return out
}

// hasFlag reports whether flags holds f, in any case (RFC 3501 section
// 2.3.2: flags are case-insensitive).
func hasFlag(flags []string, f imap.Flag) bool {
	for _, g := range flags {
		if f.Equal(imap.Flag(g)) {
			return true
		}
	}
	return false
}

// flagOp converts a STORE operation (RFC 3501 section 6.4.6).
func flagOp(op imap.StoreFlagsOp) maildir.FlagOp {
	switch op {
	case imap.StoreFlagsAdd:
		return maildir.FlagsAdd
	case imap.StoreFlagsDel:
		return maildir.FlagsRemove
	}
	return maildir.FlagsReplace
}
