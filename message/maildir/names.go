package maildir

import (
	"errors"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/mailwire/mailwire/internal/utf7"
)

// Maildir++ folder names, as Dovecot 2.3 lays them out with
// mail_location = maildir:~/Maildir (LAYOUT=maildir++, the default):
// INBOX is the Maildir itself; every other mailbox is a directory
// ".Name" beside cur, new and tmp, whatever its depth, the hierarchy
// separator "." written as is ("a.b" is ".a.b", child b of a), and the
// name in the modified UTF-7 of RFC 3501 section 5.1.3 ("Entwürfe2" is
// ".Entw&APw-rfe2").
const (
	// Separator is the hierarchy separator of Maildir++ names, which
	// a name component therefore cannot contain (RFC 3501 section 5.1.1).
	Separator = '.'
	// Inbox is the name of the root folder (RFC 3501 section 5.1).
	Inbox = "INBOX"
	// MaxNameLength is the longest mailbox name, counted in bytes of
	// its modified UTF-7 form: the folder is the one directory entry
	// "." + name, and a directory entry holds at most 255 bytes
	// (NAME_MAX on Linux and the BSDs). Dovecot 2.3 refuses a single
	// component over 255 bytes as "Mailbox name too long" and fails a
	// longer nested name at mkdir(2); here both get ErrNameTooLong,
	// which an IMAP server answers NO [LIMIT] (RFC 5530 section 3).
	MaxNameLength = 254
)

// ErrInvalidName and ErrNameTooLong are what a NameError wraps: a name
// Dovecot refuses, and one over MaxNameLength.
var (
	ErrInvalidName = errors.New("maildir: invalid mailbox name")
	ErrNameTooLong = errors.New("maildir: mailbox name too long")
)

// NameError reports a mailbox name refused, and why, with the reason
// Dovecot gives for it. errors.Is tells ErrInvalidName from
// ErrNameTooLong.
type NameError struct {
	Name   string
	Reason string
	Err    error // ErrInvalidName or ErrNameTooLong
}

// Error returns the name and the reason.
func (e *NameError) Error() string {
	return e.Err.Error() + " " + quote(e.Name) + ": " + e.Reason
}

// Unwrap returns ErrInvalidName or ErrNameTooLong.
func (e *NameError) Unwrap() error { return e.Err }

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// CheckName applies the rules Dovecot 2.3 applies to the name of a
// mailbox being created (or the new name of a RENAME) and returns the
// name normalized as Dovecot stores it: a first component "inbox" in
// any case becomes "INBOX" (RFC 3501 section 5.1), and one trailing
// separator is dropped ("Sent." is "Sent"). It refuses, with a
// *NameError: an empty name, invalid UTF-8, a name that begins with "~"
// or with the separator, adjacent separators (an empty component), "/"
// anywhere, a separator still at the end after that one, and control
// characters below 0x20 (DEL is allowed, and stored as "&AH8-"); and
// it returns ErrNameTooLong for a name over MaxNameLength. Each reason
// is the one doveadm mailbox create gives.
func CheckName(name string) (string, error) {
	norm, err := checkExisting(name)
	if err != nil {
		return "", err
	}
	for _, r := range norm {
		if r < 0x20 {
			return "", &NameError{name, "Control characters not allowed in new mailbox names", ErrInvalidName}
		}
	}
	return norm, nil
}

// checkExisting is CheckName without the rule that only new names
// obey: a folder whose name has a control character, made by another
// program, can still be opened, renamed and deleted.
func checkExisting(name string) (string, error) {
	bad := func(reason string) (string, error) {
		return "", &NameError{name, reason, ErrInvalidName}
	}
	if !utf8.ValidString(name) {
		return bad("Mailbox name is not valid UTF-8")
	}
	norm := strings.TrimSuffix(name, string(Separator))
	switch {
	case norm == "":
		return bad("Name is empty")
	case norm[0] == '~':
		return bad("Begins with '~'")
	case norm[0] == Separator:
		return bad("Begins with hierarchy separator")
	case strings.Contains(norm, string(Separator)+string(Separator)):
		return bad("Has adjacent hierarchy separators")
	case norm[len(norm)-1] == Separator:
		return bad("Ends with hierarchy separator")
	case strings.ContainsRune(norm, '/'):
		return bad("Name must not have '/' characters")
	}
	first, rest, nested := strings.Cut(norm, string(Separator))
	if strings.EqualFold(first, Inbox) {
		norm = Inbox
		if nested {
			norm += string(Separator) + rest
		}
	}
	if len(utf7.Encode(norm)) > MaxNameLength {
		return "", &NameError{name, "Mailbox name too long", ErrNameTooLong}
	}
	return norm, nil
}

// FolderPath returns the directory of the folder name under the
// Maildir root: root itself for INBOX, else root/"." + the name in
// modified UTF-7. The name need not exist; it is checked as an existing
// name (see CheckName), so a name that can never be a folder is
// refused.
func FolderPath(root, name string) (string, error) {
	norm, err := checkExisting(name)
	if err != nil {
		return "", err
	}
	if norm == Inbox {
		return root, nil
	}
	return filepath.Join(root, "."+utf7.Encode(norm)), nil
}

// FolderName is the reverse of FolderPath for one entry of the Maildir
// root: the UTF-8 name of the folder in directory entry dirName
// (".Entw&APw-rfe2" is "Entwürfe2"). It reports false for entries that
// are not folders: names without the leading ".", "." and "..", names
// with an empty component, and Dovecot's trash directory of a folder
// being deleted. A name that is not valid modified UTF-7 (written by a
// program that stored UTF-8) is returned as it is, as Dovecot lists it.
func FolderName(dirName string) (string, bool) {
	stored, ok := strings.CutPrefix(dirName, ".")
	if !ok || stored == "" || dirName == trashDir || stored[0] == Separator ||
		stored[len(stored)-1] == Separator || strings.Contains(stored, "..") {
		return "", false
	}
	if name, err := utf7.Decode(stored); err == nil {
		return name, true
	}
	return stored, true
}
