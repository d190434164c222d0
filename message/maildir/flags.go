package maildir

import (
	"errors"
	"strings"
	"sync"
)

// systemFlags are IMAP's system flags (RFC 3501 section 2.3.2) with the
// info letters the Maildir specification gives them, in the order Info
// lists them. \Recent has no letter: it is a session's, not the store's.
// P ("passed", resent) has no IMAP flag; Dovecot leaves it on the file,
// and so does SetFlags, as it does any letter it does not know.
var systemFlags = []struct {
	name   string
	letter byte
}{
	{`\Seen`, FlagSeen},
	{`\Answered`, FlagReplied},
	{`\Flagged`, FlagFlagged},
	{`\Deleted`, FlagTrashed},
	{`\Draft`, FlagDraft},
}

// errBadFlag reports a flag that is neither a system flag nor a valid
// keyword (RFC 3501 section 9, flag-keyword is an atom).
var errBadFlag = errors.New("maildir: invalid flag")

// systemLetter returns the info letter of a system flag, compared
// without regard to case as IMAP compares flags.
func systemLetter(flag string) (byte, bool) {
	for _, f := range systemFlags {
		if strings.EqualFold(f.name, flag) {
			return f.letter, true
		}
	}
	return 0, false
}

// isRecent reports the \Recent flag, which the store ignores.
func isRecent(flag string) bool { return strings.EqualFold(flag, `\Recent`) }

// validKeyword reports whether a keyword can be stored in
// dovecot-keywords and sent back as an IMAP atom.
func validKeyword(k string) bool {
	if k == "" || k[0] == '\\' {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`(){%*"]\`, c) >= 0 {
			return false
		}
	}
	return true
}

// flagNames turns the info letters of a file into IMAP flags: system
// flags first, then the keywords of the letters a to z that
// dovecot-keywords names. Other letters are not listed.
func flagNames(letters string, kw *Keywords) []string {
	var out []string
	for _, f := range systemFlags {
		if strings.IndexByte(letters, f.letter) >= 0 {
			out = append(out, f.name)
		}
	}
	for i := 0; i < len(letters); i++ {
		if name, ok := kw.Name(letters[i]); ok {
			out = append(out, name)
		}
	}
	return out
}

// managed reports whether a letter stands for an IMAP flag: a system
// flag's, or a keyword's that dovecot-keywords names. FlagsReplace
// replaces only those; the others stay on the file.
func managed(letter byte, kw *Keywords) bool {
	for _, f := range systemFlags {
		if f.letter == letter {
			return true
		}
	}
	_, ok := kw.Name(letter)
	return ok
}

// flagLetters returns the info letters of flags, adding keywords
// missing from kw to it (the caller writes kw back when added is set).
// \Recent is skipped; a keyword beyond the 26 letters answers
// ErrKeywordsFull.
func flagLetters(flags []string, kw *Keywords, create bool) (letters string, added bool, err error) {
	var b []byte
	for _, f := range flags {
		if isRecent(f) {
			continue
		}
		if c, ok := systemLetter(f); ok {
			b = append(b, c)
			continue
		}
		if !validKeyword(f) {
			return "", false, errBadFlag
		}
		c, ok := kw.Letter(f)
		if !ok && create {
			if c, err = kw.Add(f); err != nil {
				return "", false, err
			}
			ok, added = true, true
		}
		if ok {
			b = append(b, c)
		}
	}
	return SortFlags(string(b)), added, nil
}

// applyFlags returns the letters of a file after op with letters
// (RFC 3501 section 6.4.6): FLAGS keeps the letters SetFlags does not
// manage, +FLAGS adds, -FLAGS removes.
func applyFlags(old string, op FlagOp, letters string, kw *Keywords) string {
	switch op {
	case FlagsAdd:
		return SortFlags(old + letters)
	case FlagsRemove:
		var b []byte
		for i := 0; i < len(old); i++ {
			if strings.IndexByte(letters, old[i]) < 0 {
				b = append(b, old[i])
			}
		}
		return string(b)
	}
	var b []byte
	for i := 0; i < len(old); i++ {
		if !managed(old[i], kw) {
			b = append(b, old[i])
		}
	}
	return SortFlags(string(b) + letters)
}

// interned holds one copy of each flag-letter string, so that 10,000
// messages marked "S" share one.
var (
	internMu sync.Mutex
	interned = map[string]string{}
)

// intern returns the shared copy of letters.
func intern(letters string) string {
	if letters == "" {
		return ""
	}
	internMu.Lock()
	defer internMu.Unlock()
	if s, ok := interned[letters]; ok {
		return s
	}
	if len(interned) < 4096 {
		interned[letters] = letters
	}
	return letters
}
