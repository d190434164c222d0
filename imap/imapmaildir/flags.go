package imapmaildir

import (
	"slices"

	"github.com/mailwire/mailwire/imap"
)

// systemFlags are the flags of RFC 3501 section 2.3.2 that every
// mailbox defines (without \Recent, which the server tracks per
// session); the Store keeps them as the info letters R, F, T, S, D.
var systemFlags = []imap.Flag{imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagSeen, imap.FlagDraft}

// maxKeywords is how many keywords a Maildir folder can hold: one per
// info letter a to z (dovecot-keywords).
const maxKeywords = 26

// toStrings converts IMAP flags to the Store's, dropping \Recent, which
// no client sets (RFC 3501 section 2.3.2).
func toStrings(flags []imap.Flag) []string {
	out := make([]string, 0, len(flags))
	for _, f := range flags {
		if !f.Equal(imap.FlagRecent) {
			out = append(out, string(f))
		}
	}
	return out
}

// toFlags converts the Store's flags to IMAP's.
func toFlags(flags []string) []imap.Flag {
	out := make([]imap.Flag, len(flags))
	for i, f := range flags {
		out[i] = imap.Flag(f)
	}
	return out
}

// definedFlags are the flags of a mailbox's FLAGS response (RFC 3501
// section 7.2.6): the system flags and the folder's keywords.
func definedFlags(keywords []string) []imap.Flag {
	return append(slices.Clone(systemFlags), toFlags(keywords)...)
}

// permanentFlags are those STORE can set (RFC 3501 section 7.1,
// PERMANENTFLAGS): the defined flags, and \* while a keyword letter is
// left for a new keyword.
func permanentFlags(keywords []string) []imap.Flag {
	flags := definedFlags(keywords)
	if len(keywords) < maxKeywords {
		flags = append(flags, imap.FlagWildcard)
	}
	return flags
}

// hasFlag reports whether flags holds f, compared as IMAP compares flags
// (without regard to case).
func hasFlag(flags []string, f imap.Flag) bool {
	return slices.ContainsFunc(flags, func(g string) bool { return f.Equal(imap.Flag(g)) })
}
