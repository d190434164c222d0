package main

import (
	"io"
	"time"

	"github.com/mailwire/mailwire/message/maildir"
)

// folder is the Maildir folder fetched mail goes to. The shared maildir
// package writes each message the way the format requires: to tmp/,
// synced, then renamed into new/ (or cur/ with flags) and the folder
// synced, so a reader sees a message whole or not at all and a crash
// leaves at most a stray file in tmp/, which readers ignore. Line ends are
// stored as LF, as Dovecot, Postfix and procmail store them.
type folder struct {
	dir string
}

// openMaildir creates dir and its tmp, new and cur folders when missing.
func openMaildir(dir string) (*folder, error) {
	if err := maildir.Create(dir); err != nil {
		return nil, err
	}
	return &folder{dir: dir}, nil
}

// deliverFlags stores the message read from r and returns its path; on
// any error nothing appears in new/ or cur/ and nothing is left in tmp/.
// flags, when not nil, is asked once the message is written, since a
// server may send them after the body; it returns Maildir info letters
// ("FS"), and a message with flags goes to cur/ as "name:2,FS", where a
// mail reader puts the mail it has seen; one without goes to new/.
func (m *folder) deliverFlags(r io.Reader, flags func() string) (string, error) {
	if flags == nil {
		flags = func() string { return "" }
	}
	name, err := maildir.WriteLate(m.dir, r, flags, time.Time{})
	if err != nil {
		return "", err
	}
	return name.PathIn(m.dir), nil
}
