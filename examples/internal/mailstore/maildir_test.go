package mailstore

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/pop3"
)

// pop3UIDLs logs alice in over POP3 and returns her UIDLs.
func pop3UIDLs(t *testing.T, s Store) []string {
	t.Helper()
	ctx := context.Background()
	d, err := s.POP3().Login(ctx, nil, "alice", "secret")
	require.NoError(t, err)
	defer d.Close(ctx)
	list, err := d.Messages(ctx)
	require.NoError(t, err)
	var out []string
	for _, m := range list {
		out = append(out, m.UID)
	}
	return out
}

// TestMaildirLayout_Dovecot: a delivery lands in ROOT/<user>/Maildir/new
// (Dovecot's mail_location = maildir:~/Maildir with home ROOT/<user>),
// with Dovecot's dovecot-uidlist beside it; a store opened again on the
// same root gives the same UIDLs (RFC 1939 section 7).
func TestMaildirLayout_Dovecot(t *testing.T) {
	root := t.TempDir()
	s := openMaildir(t, root)
	deliver(t, s, "alice", 2)
	before := pop3UIDLs(t, s)
	require.Len(t, before, 2)
	require.NoError(t, s.Close())

	inbox := filepath.Join(root, "alice", "Maildir")
	files, err := os.ReadDir(filepath.Join(inbox, "new"))
	require.NoError(t, err)
	require.Len(t, files, 2)
	require.FileExists(t, filepath.Join(inbox, "dovecot-uidlist"))
	require.DirExists(t, filepath.Join(root, "bob", "Maildir", "cur"), "every user's Maildir is created")

	s = openMaildir(t, root)
	defer s.Close()
	require.Equal(t, before, pop3UIDLs(t, s))
}

// TestMaildirScram_RFC5802: the Maildir backends give the users' SCRAM
// verifiers to IMAP and POP3 (by name or address), ErrUnknownUser for
// anyone else (RFC 5802 section 9), and open a SASL identity's session.
func TestMaildirScram_RFC5802(t *testing.T) {
	s := openMaildir(t, t.TempDir())
	defer s.Close()
	ctx := context.Background()
	want, ok := s.Users().ScramCredentials("alice", "SCRAM-SHA-256")
	require.True(t, ok)

	ib := s.IMAP().(imap.ScramBackend)
	got, err := ib.ScramCredentials(ctx, "SCRAM-SHA-256", "alice@example.test")
	require.NoError(t, err)
	require.Equal(t, want, got)
	_, err = ib.ScramCredentials(ctx, "SCRAM-SHA-256", "carol")
	require.ErrorIs(t, err, imap.ErrUnknownUser)
	u, err := ib.OpenIdentity(ctx, nil, "alice")
	require.NoError(t, err)
	require.NoError(t, u.Logout(ctx))
	_, err = ib.OpenIdentity(ctx, nil, "carol")
	require.Error(t, err)

	pb := s.POP3().(pop3.ScramBackend)
	got, err = pb.ScramCredentials(ctx, "SCRAM-SHA-256", "alice")
	require.NoError(t, err)
	require.Equal(t, want, got)
	_, err = pb.ScramCredentials(ctx, "SCRAM-SHA-1", "carol")
	require.ErrorIs(t, err, pop3.ErrUnknownUser)
	d, err := pb.OpenIdentity(ctx, nil, "Alice@Example.Test")
	require.NoError(t, err)
	require.NoError(t, d.Close(ctx))
	_, err = pb.OpenIdentity(ctx, nil, "carol")
	require.Equal(t, pop3.CodeAuth, pop3Code(t, err))
}
