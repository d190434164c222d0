package imapmaildir

import (
	"errors"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// responseOf turns a Store error into the IMAP response of RFC 5530
// section 3 that tells the client what it did: a name too long is
// [LIMIT], one Dovecot refuses [CANNOT] with its reason, an existing
// folder [ALREADYEXISTS], a missing one missing ([NONEXISTENT], or
// [TRYCREATE] for APPEND, COPY and MOVE, RFC 3501 section 6.3.11), a
// message gone [EXPUNGEISSUED], 26 keywords in use [LIMIT]. Any other
// error is the store's own failure and is returned as it is, which the
// server logs and answers NO [SERVERBUG]. nil stays nil.
func responseOf(err error, missing imap.ResponseCode) error {
	if err == nil {
		return nil
	}
	var resp *imap.StatusResponse
	if errors.As(err, &resp) {
		return resp
	}
	reason := func(text string) string {
		var ne *maildir.NameError
		if errors.As(err, &ne) && ne.Reason != "" {
			return ne.Reason
		}
		return text
	}
	switch {
	case errors.Is(err, maildir.ErrNameTooLong):
		return imap.NOResponse(imap.CodeLimit, reason("Mailbox name too long"))
	case errors.Is(err, maildir.ErrInvalidName):
		return imap.NOResponse(imap.CodeCannot, reason("Invalid mailbox name"))
	case errors.Is(err, maildir.ErrFolderExists):
		return imap.NOResponse(imap.CodeAlreadyExists, "Mailbox already exists")
	case errors.Is(err, maildir.ErrNoMailbox), errors.Is(err, maildir.ErrNoFolder):
		return imap.NOResponse(missing, "Mailbox doesn't exist")
	case errors.Is(err, maildir.ErrInboxNotPossible):
		return imap.NOResponse(imap.CodeCannot, "INBOX cannot be deleted or renamed")
	case errors.Is(err, maildir.ErrExpunged):
		return imap.NOResponse(imap.CodeExpungeIssued, "Message was expunged")
	case errors.Is(err, maildir.ErrKeywordsFull):
		return imap.NOResponse(imap.CodeLimit, "All 26 keywords of the mailbox are in use")
	}
	return err
}
