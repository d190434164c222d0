package mailstore

import (
	"bufio"
	"crypto/subtle"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/mailwire/mailwire/smtp"
)

// Users is the account table: user names with their passwords. A user
// logs in to IMAP, POP3 and SMTP AUTH with the bare name ("alice") or
// with the address at the mail domain ("alice@example.org"), and receives
// mail at that address. Names are compared without regard to case, as
// most servers do for the local part even though RFC 5321 section 2.4
// lets it be case-sensitive.
type Users struct {
	domain    string
	passwords map[string]string
	// scram holds each user's SCRAM-SHA-256 and SCRAM-SHA-1 verifiers,
	// by name and then mechanism (RFC 5802 section 3).
	scram map[string]map[string]smtp.ScramCredentials
}

// NewUsers returns an empty table for the mail domain.
func NewUsers(domain string) *Users {
	return &Users{domain: strings.ToLower(domain), passwords: make(map[string]string),
		scram: make(map[string]map[string]smtp.ScramCredentials)}
}

// Add adds a user or changes its password, and derives its SCRAM
// verifiers with a fresh salt and 4096 iterations (RFC 7677 section 4).
func (u *Users) Add(name, password string) {
	name = strings.ToLower(name)
	u.passwords[name] = password
	u.scram[name] = make(map[string]smtp.ScramCredentials, 2)
	for _, mech := range [...]string{"SCRAM-SHA-256", "SCRAM-SHA-1"} {
		creds, err := smtp.NewScramCredentials(mech, password, nil, 4096)
		if err != nil {
			panic(err) // only for a mechanism or an iteration count SCRAM does not know
		}
		u.scram[name][mech] = creds
	}
}

// ScramCredentials returns the SCRAM verifiers of a login name or
// address for mech; ok is false for an unknown login.
func (u *Users) ScramCredentials(login, mech string) (creds smtp.ScramCredentials, ok bool) {
	name, ok := u.Lookup(login)
	if !ok {
		return creds, false
	}
	creds, ok = u.scram[name][mech]
	return creds, ok
}

// Domain is the mail domain the users' addresses are at.
func (u *Users) Domain() string { return u.domain }

// Names returns the user names, sorted.
func (u *Users) Names() []string {
	names := make([]string, 0, len(u.passwords))
	for n := range u.passwords {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup maps a login name or an address to a user name: "alice" and
// "alice@<domain>" both name alice.
func (u *Users) Lookup(login string) (string, bool) {
	name := strings.ToLower(login)
	if local, domain, ok := strings.Cut(name, "@"); ok {
		if domain != u.domain {
			return "", false
		}
		name = local
	}
	_, ok := u.passwords[name]
	return name, ok
}

// Check verifies a login name and password and returns the user name. The
// comparison takes constant time for a known user.
func (u *Users) Check(login, password string) (string, bool) {
	name, ok := u.Lookup(login)
	if !ok {
		return "", false
	}
	if subtle.ConstantTimeCompare([]byte(u.passwords[name]), []byte(password)) != 1 {
		return "", false
	}
	return name, true
}

// AddList adds the users of a list such as "alice:secret,bob:secret".
func (u *Users) AddList(list string) error {
	for _, entry := range strings.Split(list, ",") {
		if err := u.addEntry(strings.TrimSpace(entry)); err != nil {
			return err
		}
	}
	return nil
}

// AddFile adds the users of a file with one "name:password" a line;
// blank lines and lines starting with "#" are skipped.
func (u *Users) AddFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if err := u.addEntry(text); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
	return sc.Err()
}

func (u *Users) addEntry(entry string) error {
	name, password, ok := strings.Cut(entry, ":")
	if !ok || !validName(name) || password == "" {
		return fmt.Errorf("mailstore: user entry %q is not name:password", entry)
	}
	u.Add(name, password)
	return nil
}

// validName accepts names that are a plain dot-atom local part (RFC 5322
// section 3.4.1) and that a Maildir store can use as a directory name.
func validName(name string) bool {
	if name == "" || name[0] == '.' || strings.Contains(name, "..") {
		return false
	}
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.ContainsRune(".!#$%&'*+-=?^_`{|}~", c) && c != '/':
		default:
			return false
		}
	}
	return true
}
