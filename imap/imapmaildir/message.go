package imapmaildir

import (
	"context"
	"errors"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message"
	"github.com/mailwire/mailwire/message/maildir"
)

// storedMessage is one message of a folder as Messages found it: the
// imap.StructureMessage the server fetches from.
type storedMessage struct {
	mb   *maildir.Mailbox
	info maildir.Info
}

var _ imap.StructureMessage = (*storedMessage)(nil)

// UID implements imap.Message.
func (s *storedMessage) UID() uint32 { return s.info.UID }

// Flags implements imap.Message: the flags when Messages looked.
func (s *storedMessage) Flags() []imap.Flag { return imapFlags(s.info.Flags) }

// InternalDate implements imap.Message: the file's modification time,
// as Dovecot takes it (RFC 3501 section 2.3.3).
func (s *storedMessage) InternalDate() time.Time { return s.info.InternalDate }

// Size implements imap.Message: the wire size with CRLF line ends (RFC
// 3501 section 2.3.4, RFC822.SIZE).
func (s *storedMessage) Size() int64 { return s.info.Size }

// Open implements imap.Message: the file read at any offset with CRLF
// line ends, through a buffer, so memory does not grow with the message.
// A message removed since Messages answers NO [EXPUNGEISSUED] (RFC
// 5530), which FETCH skips (RFC 2180 section 4.1).
func (s *storedMessage) Open(ctx context.Context) (imap.MessageReader, error) {
	r, err := s.mb.Open(ctx, s.info.UID)
	if err != nil {
		if errors.Is(err, maildir.ErrExpunged) {
			return nil, imap.NOResponse(imap.CodeExpungeIssued, "Message was expunged")
		}
		return nil, err
	}
	return r, nil
}

// Structure implements imap.StructureMessage from the Store's cache
// (memory, then its CacheFile, else parsed once), so ENVELOPE,
// BODYSTRUCTURE and BODY[section] do not parse the message again. On an
// error it returns nil and the server parses the message itself, and
// reports what fails.
func (s *storedMessage) Structure() *message.Structure {
	st, err := s.mb.Structure(context.Background(), s.info.UID)
	if err != nil {
		return nil
	}
	return st
}
