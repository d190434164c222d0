package imapmaildir

import (
	"errors"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// no builds a tagged NO with an RFC 5530 response code.
func no(code imap.ResponseCode, text string) *imap.StatusResponse {
	return &imap.StatusResponse{Type: imap.StatusNO, Code: code, Text: text}
}

// imapError maps an error of the Store to the response the client gets
// (RFC 5530 section 3). missing is the code of a mailbox that does not
// exist: NONEXISTENT, or TRYCREATE for APPEND, COPY and MOVE (RFC 3501
// sections 6.3.11 and 6.4.7). Errors the client did not cause are
// returned as they are, which the server logs and answers NO [SERVERBUG].
func imapError(err error, missing imap.ResponseCode) error {
	var st *imap.StatusResponse
	var name *maildir.NameError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &st):
		return st
	case errors.Is(err, maildir.ErrNameTooLong):
		return no(imap.CodeLimit, reason(err, "Mailbox name too long"))
	case errors.Is(err, maildir.ErrInvalidName), errors.As(err, &name):
		return no(imap.CodeCannot, reason(err, "Invalid mailbox name"))
	case errors.Is(err, maildir.ErrFolderExists):
		return no(imap.CodeAlreadyExists, "Mailbox already exists")
	case errors.Is(err, maildir.ErrNoMailbox), errors.Is(err, maildir.ErrNoFolder):
		return no(missing, "No such mailbox")
	case errors.Is(err, maildir.ErrInboxNotPossible):
		return no(imap.CodeCannot, "INBOX cannot be deleted or renamed this way")
	case errors.Is(err, maildir.ErrExpunged):
		return no(imap.CodeExpungeIssued, "Message was expunged")
	case errors.Is(err, maildir.ErrKeywordsFull):
		return no(imap.CodeLimit, "All 26 keywords of the mailbox are in use")
	}
	return err
}

// reason is the reason a *maildir.NameError in err gives (the words
// doveadm uses), or else text.
func reason(err error, text string) string {
	var name *maildir.NameError
	if errors.As(err, &name) && name.Reason != "" {
		return name.Reason
	}
	return text
}
