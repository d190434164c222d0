package imap

import (
	"strings"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// Flag is a message flag: a system flag starting with "\" or a keyword
// (RFC 3501 section 2.3.2). Flags compare case-insensitively.
type Flag string

// System flags of RFC 3501 section 2.3.2.
const (
	FlagSeen     Flag = `\Seen`
	FlagAnswered Flag = `\Answered`
	FlagFlagged  Flag = `\Flagged`
	FlagDeleted  Flag = `\Deleted`
	FlagDraft    Flag = `\Draft`
	FlagRecent   Flag = `\Recent` // gone in IMAP4rev2 (RFC 9051 section 2.3.2)
	// FlagWildcard in PERMANENTFLAGS says new keywords may be created.
	FlagWildcard Flag = `\*`
)

// Keywords registered with IANA that clients commonly use (RFC 5788,
// RFC 9051 section 2.3.2).
const (
	FlagForwarded Flag = "$Forwarded"
	FlagMDNSent   Flag = "$MDNSent"
	FlagJunk      Flag = "$Junk"
	FlagNotJunk   Flag = "$NotJunk"
	FlagPhishing  Flag = "$Phishing"
)

// Equal compares flags as RFC 3501 section 2.3.2 does: case-insensitively.
func (f Flag) Equal(g Flag) bool { return strings.EqualFold(string(f), string(g)) }

// readFlagList reads flag-list: "(" [flag *(SP flag)] ")".
func readFlagList(r *wire.Reader) ([]Flag, error) {
	var flags []Flag
	err := r.List(func() error {
		f, err := r.Flag()
		flags = append(flags, canonicalFlag(f))
		return err
	})
	return flags, err
}

// canonicalFlag spells system flags as RFC 3501 does, sharing their
// strings, so comparisons with the constants work whatever case the peer
// used.
func canonicalFlag(f string) Flag {
	if len(f) > 0 && f[0] == '\\' {
		for _, sys := range [...]Flag{FlagSeen, FlagAnswered, FlagFlagged, FlagDeleted, FlagDraft, FlagRecent, FlagWildcard} {
			if strings.EqualFold(f, string(sys)) {
				return sys
			}
		}
	}
	return Flag(f)
}

// writeFlagList writes flags as a flag-list.
func writeFlagList(w *wire.Writer, flags []Flag) {
	w.Open()
	for i, f := range flags {
		w.Sep(i).Atom(string(f))
	}
	w.Close()
}
