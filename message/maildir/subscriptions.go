package maildir

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mailwire/mailwire/internal/utf7"
)

// SubscriptionsFile is the file in the Maildir root where Dovecot keeps
// the subscribed names (RFC 3501 sections 6.3.6 and 6.3.7). Version 2,
// which Dovecot 2.3 writes, is the header "V\t2\n\n" and then one name a
// line, its levels separated by a tab instead of the hierarchy separator
// and each level tab-escaped (\x01 followed by '0', '1', 't', 'r' or
// 'n' for NUL, \x01, tab, CR and LF), in modified UTF-7 like the folder
// names: "with space" is the line "with space", "Entwürfe2" the line
// "Entw&APw-rfe2", "a.b" the line "a\tb". A file without the header is
// version 1: the names as they are, one a line.
const SubscriptionsFile = "subscriptions"

const subscriptionsHeader = "V\t2\n\n"

// ParseSubscriptions reads a subscriptions file, either version, and
// returns its names in UTF-8 with "." between levels, in file order,
// without empty lines and repeats. A line that is not valid modified
// UTF-7 is returned as it is.
func ParseSubscriptions(r io.Reader) ([]string, error) {
	br := bufio.NewReader(r)
	version := 1
	if head, err := br.Peek(len(subscriptionsHeader)); err == nil && string(head) == subscriptionsHeader {
		version = 2
		br.Discard(len(subscriptionsHeader))
	}
	var names []string
	seen := map[string]bool{}
	for {
		line, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if line = strings.TrimSuffix(line, "\n"); line != "" {
			name := line
			if version == 2 {
				name = unescapeSubscription(line)
			}
			if decoded, err := utf7.Decode(name); err == nil {
				name = decoded
			}
			if !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
		if err != nil {
			return names, nil
		}
	}
}

// ReadSubscriptions reads the subscriptions of the Maildir root; none
// when there is no file yet.
func ReadSubscriptions(root string) ([]string, error) {
	f, err := os.Open(filepath.Join(root, SubscriptionsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseSubscriptions(f)
}

// FormatSubscriptions writes names as a version 2 subscriptions file.
// A first level "inbox" in any case is written "INBOX", as Dovecot
// stores it.
func FormatSubscriptions(w io.Writer, names []string) error {
	var b bytes.Buffer
	b.WriteString(subscriptionsHeader)
	for _, name := range names {
		b.WriteString(escapeSubscription(name))
		b.WriteByte('\n')
	}
	_, err := w.Write(b.Bytes())
	return err
}

// WriteSubscriptions replaces the subscriptions of root with names, as
// Dovecot does: under the dotlock "subscriptions.lock" (stale after
// SubscriptionsLockStale), the new content written into the lock file,
// synced, and renamed over the file; the root is synced so that the
// rename survives a crash.
func WriteSubscriptions(root string, names []string) error {
	return updateSubscriptions(root, func([]string) ([]string, bool) { return names, true })
}

// SetSubscribed subscribes name (RFC 3501 section 6.3.6) or unsubscribes
// it (section 6.3.7) in the subscriptions of root, reading and
// rewriting the file under its dotlock so that two processes changing
// it at once both count. The name need not exist as a folder. It
// reports whether the file changed; it is not rewritten when it would
// not.
func SetSubscribed(root, name string, subscribed bool) (bool, error) {
	name = normalizeInbox(name)
	changed := false
	err := updateSubscriptions(root, func(old []string) ([]string, bool) {
		i := slices.Index(old, name)
		switch {
		case subscribed && i < 0:
			changed = true
			return append(old, name), true
		case !subscribed && i >= 0:
			changed = true
			return slices.Delete(old, i, i+1), true
		}
		return nil, false
	})
	return changed, err
}

// updateSubscriptions changes the file under its lock; change returns
// the new names and whether to write them.
func updateSubscriptions(root string, change func([]string) ([]string, bool)) error {
	path := filepath.Join(root, SubscriptionsFile)
	lock, err := LockReplace(context.Background(), path, SubscriptionsLockStale)
	if err != nil {
		return err
	}
	old, err := ReadSubscriptions(root)
	if err != nil {
		lock.Unlock()
		return err
	}
	names, write := change(old)
	if !write {
		return lock.Unlock()
	}
	if err := FormatSubscriptions(lock, names); err != nil {
		lock.Unlock()
		return err
	}
	if err := lock.Replace(); err != nil {
		return err
	}
	return SyncDir(root)
}

// normalizeInbox writes a first level "inbox" in any case as INBOX.
func normalizeInbox(name string) string {
	first, rest, nested := strings.Cut(name, string(Separator))
	if !strings.EqualFold(first, Inbox) {
		return name
	}
	if nested {
		return Inbox + string(Separator) + rest
	}
	return Inbox
}

var tabEscaper = strings.NewReplacer("\x00", "\x010", "\x01", "\x011", "\t", "\x01t", "\r", "\x01r", "\n", "\x01n")

// escapeSubscription is the version 2 line of a name.
func escapeSubscription(name string) string {
	levels := strings.Split(utf7.Encode(normalizeInbox(name)), string(Separator))
	for i, l := range levels {
		levels[i] = tabEscaper.Replace(l)
	}
	return strings.Join(levels, "\t")
}

// unescapeSubscription is the name of a version 2 line, still in
// modified UTF-7; an unknown escape stands for the byte after \x01.
func unescapeSubscription(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\t':
			b.WriteByte(Separator)
		case c == 0x01 && i+1 < len(line):
			i++
			switch line[i] {
			case '0':
				b.WriteByte(0)
			case '1':
				b.WriteByte(0x01)
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'n':
				b.WriteByte('\n')
			default:
				b.WriteByte(line[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
