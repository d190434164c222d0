package imapmaildir

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// TestImapError_RFC5530_3: each refusal of the Store that the client
// caused gets its RFC 5530 code, wrapped or not, and with the reason
// Dovecot gives for a name; a missing mailbox is [TRYCREATE] where RFC
// 3501 section 6.3.11 asks for it; the store's own faults are returned
// as they are (the server's NO [SERVERBUG]).
func TestImapError_RFC5530_3(t *testing.T) {
	tooLong := &maildir.NameError{Name: "nnn", Reason: "Mailbox name too long", Err: maildir.ErrNameTooLong}
	invalid := &maildir.NameError{Name: "~a", Reason: "Begins with '~'", Err: maildir.ErrInvalidName}
	fault := errors.New("disk on fire")
	for _, tc := range []struct {
		err     error
		missing imap.ResponseCode
		code    imap.ResponseCode
		text    string
	}{
		{tooLong, imap.CodeNonExistent, imap.CodeLimit, "Mailbox name too long"},
		{fmt.Errorf("create: %w", tooLong), imap.CodeNonExistent, imap.CodeLimit, "Mailbox name too long"},
		{maildir.ErrNameTooLong, imap.CodeNonExistent, imap.CodeLimit, "Mailbox name too long"},
		{invalid, imap.CodeNonExistent, imap.CodeCannot, "Begins with '~'"},
		{maildir.ErrInvalidName, imap.CodeNonExistent, imap.CodeCannot, "Invalid mailbox name"},
		{maildir.ErrFolderExists, imap.CodeNonExistent, imap.CodeAlreadyExists, ""},
		{maildir.ErrNoMailbox, imap.CodeNonExistent, imap.CodeNonExistent, ""},
		{maildir.ErrNoMailbox, imap.CodeTryCreate, imap.CodeTryCreate, ""},
		{maildir.ErrNoFolder, imap.CodeNonExistent, imap.CodeNonExistent, ""},
		{maildir.ErrInboxNotPossible, imap.CodeNonExistent, imap.CodeCannot, ""},
		{fmt.Errorf("open: %w", maildir.ErrExpunged), imap.CodeNonExistent, imap.CodeExpungeIssued, ""},
		{maildir.ErrKeywordsFull, imap.CodeNonExistent, imap.CodeLimit, ""},
	} {
		var st *imap.StatusResponse
		if !assert.ErrorAs(t, imapError(tc.err, tc.missing), &st, "%v", tc.err) {
			continue
		}
		assert.Equal(t, imap.StatusNO, st.Type, "%v", tc.err)
		assert.Equal(t, tc.code, st.Code, "%v", tc.err)
		if tc.text != "" {
			assert.Equal(t, tc.text, st.Text, "%v", tc.err)
		}
	}
	assert.Same(t, fault, imapError(fault, imap.CodeNonExistent))
	assert.NoError(t, imapError(nil, imap.CodeNonExistent))
	own := imap.NOResponse(imap.CodeCannot, "mine")
	assert.Same(t, own, imapError(fmt.Errorf("wrapped: %w", own), imap.CodeNonExistent))
}
