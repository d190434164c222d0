package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// maildir delivers messages into a Maildir folder the way the format
// requires (https://cr.yp.to/proto/maildir.html): write the message to
// tmp/, sync it to disk, then rename it into new/. A reader scanning new/
// and cur/ sees a message whole or not at all, and a crash leaves at most
// a stray file in tmp/, which readers ignore.
type maildir struct {
	dir  string
	host string // this host's name, made safe for a file name
}

// deliveries counts the messages this process has delivered, in any
// folder: the seq of uniqueName. It is process-wide because the names must
// differ across runs in one process too, which may fall in the same
// second.
var deliveries atomic.Uint64

// openMaildir creates dir and its tmp, new and cur folders when missing.
func openMaildir(dir string) (*maildir, error) {
	for _, sub := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, err
		}
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	// The Maildir convention: "/" and ":" cannot appear in the host part,
	// ":" because it starts the info part of names in cur/.
	host = strings.NewReplacer("/", `\057`, ":", `\072`).Replace(host)
	return &maildir{dir: dir, host: host}, nil
}

// uniqueName returns "time.pid_seq.host", the name the Maildir
// specification gives for a process that delivers several messages: unique
// across processes by the pid and the time, within this one by seq. The
// rename into new/ would silently replace a file of the same name, so the
// name must never repeat.
func (m *maildir) uniqueName() string {
	return fmt.Sprintf("%d.%d_%d.%s", time.Now().Unix(), os.Getpid(), deliveries.Add(1), m.host)
}

// deliver copies r into tmp/, converting CRLF to LF (see lfWriter), syncs
// it and renames it into new/; it returns the new file's path. On any
// error the file in tmp/ is removed and nothing appears in new/. Only a
// buffer's worth of the message is in memory at a time.
func (m *maildir) deliver(r io.Reader) (string, error) {
	return m.deliverFlags(r, nil)
}

// deliverFlags is deliver for a message that may carry flags. flags, when
// not nil, is asked once the message is written, since a server may send
// them after the body; it returns the flags as Maildir info letters in
// ASCII order ("FS"). A message with flags is renamed into cur/ as
// "name:2,FS", where a mail reader puts the mail it has seen (the
// Maildir specification, "info"); one without stays new.
func (m *maildir) deliverFlags(r io.Reader, flags func() string) (string, error) {
	name := m.uniqueName()
	tmp := filepath.Join(m.dir, "tmp", name)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	err = writeSynced(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	sub := "new"
	if flags != nil {
		if info := flags(); info != "" {
			sub, name = "cur", name+":2,"+info
		}
	}
	final := filepath.Join(m.dir, sub, name)
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return "", err
	}
	// The rename is durable only once the directory is synced.
	if err := syncDir(filepath.Join(m.dir, sub)); err != nil {
		return "", err
	}
	return final, nil
}

// writeSynced copies r to f with LF line ends and syncs f, so that the
// rename into new/ never publishes data that is not on disk yet.
func writeSynced(f *os.File, r io.Reader) error {
	bw := bufio.NewWriterSize(f, 64<<10)
	lw := &lfWriter{w: bw}
	if _, err := io.Copy(lw, r); err != nil {
		return err
	}
	if err := lw.Flush(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Sync()
}

// syncDir syncs a directory, making the names created in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
