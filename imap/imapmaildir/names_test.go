package imapmaildir

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mailwire/mailwire/imap"
)

// TestStoreName_RFC3501_5_1_1: IMAP's levels ('/') are Maildir++'s
// ('.') and back; a level holding '.' is refused NO [CANNOT], as
// Dovecot with LAYOUT=maildir++ refuses it; a folder whose name holds
// '/' (only another program can make one) is not listed.
func TestStoreName_RFC3501_5_1_1(t *testing.T) {
	for _, tc := range []struct{ imap, store string }{
		{"INBOX", "INBOX"},
		{"a/b", "a.b"},
		{"Work/2024/Q1", "Work.2024.Q1"},
		{"Entwürfe2", "Entwürfe2"},
		{"a b/c d", "a b.c d"},
	} {
		got, err := storeName(tc.imap)
		assert.NoError(t, err, tc.imap)
		assert.Equal(t, tc.store, got, tc.imap)
		back, ok := imapName(tc.store)
		assert.True(t, ok, tc.store)
		assert.Equal(t, tc.imap, back, tc.store)
	}
	got, err := storeName("Sent/")
	assert.NoError(t, err)
	assert.Equal(t, "Sent", got, "a trailing delimiter is dropped (RFC 3501 section 6.3.3)")
	for _, bad := range []string{"a.b", "x/y.z", ".hidden"} {
		_, err := storeName(bad)
		var st *imap.StatusResponse
		if assert.ErrorAs(t, err, &st, bad) {
			assert.Equal(t, imap.CodeCannot, st.Code, bad)
		}
	}
	_, ok := imapName("a/b")
	assert.False(t, ok)
}
