package mailstore

import (
	"strings"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// infoLetters maps the IMAP system flags (RFC 3501 section 2.3.2) to
// the Maildir info letters, as Dovecot does: \Answered is "replied",
// \Deleted "trashed".
var infoLetters = []struct {
	letter byte
	flag   imap.Flag
}{
	{maildir.FlagDraft, imap.FlagDraft},
	{maildir.FlagFlagged, imap.FlagFlagged},
	{maildir.FlagReplied, imap.FlagAnswered},
	{maildir.FlagSeen, imap.FlagSeen},
	{maildir.FlagTrashed, imap.FlagDeleted},
}

// flagsFromInfo returns the IMAP flags of info letters.
func flagsFromInfo(info string) []imap.Flag {
	var out []imap.Flag
	for _, l := range infoLetters {
		if strings.IndexByte(info, l.letter) >= 0 {
			out = append(out, l.flag)
		}
	}
	return out
}

// infoFlags returns the info letters for flags, keeping the letters of
// old that no IMAP flag maps to ("P", Dovecot's keyword letters).
func infoFlags(flags []imap.Flag, old string) string {
	var b []byte
	for i := 0; i < len(old); i++ {
		if !mapped(old[i]) {
			b = append(b, old[i])
		}
	}
	for _, l := range infoLetters {
		if hasFlag(flags, l.flag) {
			b = append(b, l.letter)
		}
	}
	return maildir.SortFlags(string(b))
}

func mapped(letter byte) bool {
	for _, l := range infoLetters {
		if l.letter == letter {
			return true
		}
	}
	return false
}

// keywords returns the flags that are not system flags.
func keywords(flags []imap.Flag) []imap.Flag {
	var out []imap.Flag
	for _, f := range flags {
		if !strings.HasPrefix(string(f), `\`) {
			out = append(out, f)
		}
	}
	return out
}

func hasFlag(list []imap.Flag, f imap.Flag) bool {
	for _, g := range list {
		if g.Equal(f) {
			return true
		}
	}
	return false
}

// normalizeFlags removes repeats and \Recent, which is per session.
func normalizeFlags(flags []imap.Flag) []imap.Flag {
	var out []imap.Flag
	for _, f := range flags {
		if f != imap.FlagRecent && !hasFlag(out, f) {
			out = append(out, f)
		}
	}
	return out
}
