package maildir

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// KeywordsFile maps the letters "a" to "z" of the info flags to IMAP
// keywords (RFC 3501 section 2.3.2), in Dovecot's format: lines
// "<index> <keyword>", index 0 for "a" up to 25 for "z".
const KeywordsFile = "dovecot-keywords"

// ErrKeywordsFull reports a 27th keyword: the info has only 26 letters
// for them. (Dovecot keeps further ones in its own index only.)
var ErrKeywordsFull = errors.New("maildir: all 26 keyword letters are in use")

// Keywords is the content of a dovecot-keywords file: the keyword of
// each letter, "" for a letter not in use.
type Keywords [26]string

// ParseKeywords reads a dovecot-keywords file. Lines without a space,
// with an index out of range or without a name are skipped, as Dovecot
// skips them; so are names with a CR, which no keyword has (RFC 3501
// section 9, flag-keyword is an atom).
func ParseKeywords(r io.Reader) (Keywords, error) {
	var k Keywords
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		index, name, ok := strings.Cut(sc.Text(), " ")
		i, err := strconv.ParseUint(index, 10, 8)
		if !ok || err != nil || i >= uint64(len(k)) || name == "" || strings.Contains(name, "\r") {
			continue
		}
		k[i] = name
	}
	return k, sc.Err()
}

// WriteTo writes one line per letter in use, in letter order.
func (k *Keywords) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	for i, name := range k {
		if name != "" {
			b.WriteString(strconv.Itoa(i) + " " + name + "\n")
		}
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// Name returns the keyword of a letter of the info flags; ok is false
// for a letter not in the file, which callers keep on the message as it
// is.
func (k *Keywords) Name(letter byte) (name string, ok bool) {
	if letter < 'a' || letter > 'z' || k[letter-'a'] == "" {
		return "", false
	}
	return k[letter-'a'], true
}

// Letter returns the letter of a keyword. Keywords compare without
// regard to case (RFC 3501 section 2.3.2 leaves it open; Dovecot's
// lookup ignores case).
func (k *Keywords) Letter(name string) (letter byte, ok bool) {
	for i, have := range k {
		if have != "" && strings.EqualFold(have, name) {
			return 'a' + byte(i), true
		}
	}
	return 0, false
}

// Add returns the letter of a keyword, giving it the first free letter
// when it has none. The caller writes the file (WriteKeywords) while it
// holds the uidlist lock, as Dovecot requires.
func (k *Keywords) Add(name string) (byte, error) {
	if letter, ok := k.Letter(name); ok {
		return letter, nil
	}
	if name == "" || strings.ContainsAny(name, "\r\n") {
		return 0, errors.New("maildir: bad keyword " + strconv.Quote(name))
	}
	for i := range k {
		if k[i] == "" {
			k[i] = name
			return 'a' + byte(i), nil
		}
	}
	return 0, ErrKeywordsFull
}

// ReadKeywords reads the dovecot-keywords of the folder dir; a folder
// without one has no keywords yet.
func ReadKeywords(dir string) (Keywords, error) {
	f, err := os.Open(filepath.Join(dir, KeywordsFile))
	if errors.Is(err, os.ErrNotExist) {
		return Keywords{}, nil
	}
	if err != nil {
		return Keywords{}, err
	}
	defer f.Close()
	return ParseKeywords(f)
}

// WriteKeywords replaces the dovecot-keywords of the folder dir, the way
// Dovecot does: the caller holds the folder's uidlist lock, which is
// what keeps writers apart, so a leftover dovecot-keywords.lock is
// removed; the new content is written into a fresh lock file, its
// modification time made later than the old file's (readers notice a
// change by it), synced, and renamed over the file.
func WriteKeywords(dir string, k Keywords) error {
	path := filepath.Join(dir, KeywordsFile)
	os.Remove(path + ".lock")
	lock, err := LockReplace(context.Background(), path, UIDListLockStale)
	if err != nil {
		return err
	}
	if _, err := k.WriteTo(lock); err != nil {
		lock.Unlock()
		return err
	}
	if old, err := os.Stat(path); err == nil && !time.Now().After(old.ModTime()) {
		later := old.ModTime().Add(time.Second)
		if err := os.Chtimes(path+".lock", later, later); err != nil {
			lock.Unlock()
			return err
		}
	}
	return lock.Replace()
}
