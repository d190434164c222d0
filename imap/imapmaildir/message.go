package imapmaildir

import (
	"context"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message"
	"github.com/mailwire/mailwire/message/maildir"
)

// storedMessage is one message as Messages returned it: the imap.Message and
// imap.StructureMessage the server reads. Its flags are those of the
// time of the call; its bytes are read from the file when opened.
type storedMessage struct {
	mb   *maildir.Mailbox
	info maildir.Info
}

var _ imap.StructureMessage = (*storedMessage)(nil)

// UID implements imap.Message.
func (m *storedMessage) UID() uint32 { return m.info.UID }

// Flags implements imap.Message: the system flags of the file's info
// letters and the keywords of dovecot-keywords.
func (m *storedMessage) Flags() []imap.Flag { return toFlags(m.info.Flags) }

// InternalDate implements imap.Message: the file's modification time,
// as Dovecot takes it.
func (m *storedMessage) InternalDate() time.Time { return m.info.InternalDate }

// Size implements imap.Message: RFC822.SIZE, the size with CRLF line
// ends (the W= field of the file name).
func (m *storedMessage) Size() int64 { return m.info.Size }

// Open implements imap.Message: the file in its wire form (CRLF line
// ends), read at any offset without being held in memory. A message
// removed since it was listed answers NO [EXPUNGEISSUED] (RFC 5530),
// which FETCH skips (RFC 2180 section 4.1).
func (m *storedMessage) Open(ctx context.Context) (imap.MessageReader, error) {
	r, err := m.mb.Open(ctx, m.info.UID)
	if err != nil {
		return nil, imapError(err, imap.CodeNonExistent)
	}
	return r, nil
}

// Structure implements imap.StructureMessage: the structure the Store
// keeps in memory and in its cache file, parsed once per message. On an
// error (the message is gone, the file unreadable) it returns nil and
// the server parses the message itself, reporting what fails then.
//
// A structure deeper than the server's own parse would follow
// (imap.DefaultStructureDepth, which keeps BODYSTRUCTURE within the 64
// nested lists clients read) is not served either: the Store parsed it
// with deeper StructureLimits than IMAP wants, so the server parses the
// message itself (see Backend.Stores).
func (m *storedMessage) Structure() *message.Structure {
	st, err := m.mb.Structure(context.Background(), m.info.UID)
	if err != nil || structureDepth(st) > maxStructureDepth {
		return nil
	}
	return st
}

// maxStructureDepth is the structureDepth of the deepest structure
// imap.ParseStructure returns: the root, imap.DefaultStructureDepth
// levels, and the opaque part a truncated message ends in.
const maxStructureDepth = imap.DefaultStructureDepth + 2

// structureDepth is the nesting of multipart and message/rfc822
// entities in st, st itself counted.
func structureDepth(st *message.Structure) int {
	d := 0
	for _, p := range st.Parts {
		d = max(d, structureDepth(p))
	}
	if st.Message != nil {
		d = max(d, structureDepth(st.Message))
	}
	return d + 1
}
