package mailstore

import (
	"errors"
	"os"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// errGone is a message whose file is no longer in the folder: another
// session or program expunged it. To an IMAP session it is NO
// [EXPUNGEISSUED] (RFC 5530 section 3), which FETCH answers by skipping
// the message (RFC 2180 section 4.1), not a server bug.
var errGone error = &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeExpungeIssued, Text: "Message was expunged"}

// fileTries bounds how often a file operation is retried after the file
// moved: each retry follows a rescan, so only a program renaming the same
// file again and again in between exhausts it.
const fileTries = 3

// withFile runs op on the path of message uid while the caller holds
// s.mu, so that no rename or removal by this process comes between the
// index naming the file and op using it; an open file then survives
// later renames and unlinks. When op finds no file, another program
// moved it (Dovecot renames new to cur, or sets flags) or removed it:
// the folder is rescanned, which finds the file under its unique base
// name in new/ or cur/, and op is tried again. A message the rescan no
// longer finds is errGone.
func (f *mdFolder) withFile(uid uint32, op func(m *mdMsg) error) error {
	for try := 1; ; try++ {
		m := f.find(uid)
		if m == nil {
			return errGone
		}
		err := op(m)
		if !notExist(err) || try == fileTries {
			return err
		}
		if err := f.sync(); err != nil {
			return err
		}
	}
}

// openFile opens the file of message uid (withFile); the caller holds
// s.mu.
func (f *mdFolder) openFile(uid uint32) (*os.File, error) {
	var file *os.File
	err := f.withFile(uid, func(m *mdMsg) error {
		var err error
		file, err = os.Open(m.path)
		return err
	})
	return file, err
}

// isGone reports whether err is errGone.
func isGone(err error) bool { return errors.Is(err, errGone) }

// link makes a hard link to message m's file in the folder dir under a
// new unique name carrying m's flags, as Dovecot copies (withFile); the
// caller holds s.mu.
func (f *mdFolder) link(m *mdMsg, dir string) (maildir.Name, string, error) {
	var n maildir.Name
	var path string
	err := f.withFile(m.uid, func(m *mdMsg) error {
		size := m.name.Field('S')
		if size < 0 {
			st, err := os.Stat(m.path)
			if err != nil {
				return err
			}
			size = st.Size()
		}
		n = maildir.Name{Base: maildir.NewBase(time.Now(), size, m.size), Flags: infoFlags(m.flags, "")}
		path = n.PathIn(dir)
		return os.Link(m.path, path)
	})
	return n, path, err
}
