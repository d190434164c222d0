package imapmaildir

import (
	"strings"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// errDotInName refuses an IMAP name with '.' inside a level: on disk
// "a.b" is child b of a (Maildir++, maildir.Separator), so it could
// never be told from "a/b". Dovecot with LAYOUT=maildir++ refuses such a
// name the same way (RFC 5530 section 3, CANNOT).
var errDotInName = &imap.StatusResponse{
	Type: imap.StatusNO,
	Code: imap.CodeCannot,
	Text: "Mailbox name must not contain '.': it separates levels in the Maildir++ layout",
}

// storeName returns the Maildir++ name of an IMAP mailbox name: its
// levels joined by maildir.Separator instead of imap.Delimiter ("a/b" is
// "a.b"). A level containing the separator answers NO [CANNOT].
func storeName(name string) (string, error) {
	name = strings.TrimSuffix(name, string(imap.Delimiter))
	if strings.ContainsRune(name, maildir.Separator) {
		return "", errDotInName
	}
	return strings.ReplaceAll(name, string(imap.Delimiter), string(maildir.Separator)), nil
}

// imapName is the reverse of storeName: the IMAP name of a Store folder
// ("a.b" is "a/b"). It reports false for a folder whose name holds '/'
// (a directory another program named ".a&AC8-b"), which no IMAP name
// can address.
func imapName(folder string) (string, bool) {
	if strings.ContainsRune(folder, imap.Delimiter) {
		return "", false
	}
	return strings.ReplaceAll(folder, string(maildir.Separator), string(imap.Delimiter)), true
}
