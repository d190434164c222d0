package imapmaildir

import (
	"strings"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// folderName maps an IMAP mailbox name (UTF-8, levels separated by
// imap.Delimiter) to the Store's Maildir++ name, levels separated by
// maildir.Separator: "a/b" is "a.b". A level that holds the separator
// itself cannot be told apart from two levels on disk, so it is refused
// NO [CANNOT] (RFC 5530 section 3), as Dovecot with LAYOUT=maildir++
// refuses "a.b" when its separator is "/". Everything else the Store
// checks (maildir.CheckName).
func folderName(name string) (string, error) {
	if strings.ContainsRune(name, maildir.Separator) {
		return "", imap.NOResponse(imap.CodeCannot,
			"Mailbox names cannot contain '"+string(maildir.Separator)+"' in a Maildir++ store")
	}
	return strings.ReplaceAll(name, string(imap.Delimiter), string(maildir.Separator)), nil
}

// mailboxName maps a Store folder name back to IMAP's: "a.b" is "a/b".
func mailboxName(folder string) string {
	return strings.ReplaceAll(folder, string(maildir.Separator), string(imap.Delimiter))
}
