package pop3mem

import (
	"context"
	"io"
	"testing"

	"github.com/mailwire/mailwire/pop3"

	"github.com/stretchr/testify/require"
)

func TestDeliver_StoresCRLF_RFC1939_5(t *testing.T) {
	for in, want := range map[string]string{
		"a\nb\n":     "a\r\nb\r\n",
		"a\r\nb":     "a\r\nb",
		"a\rb\r":     "a\r\nb\r\n",
		"a\r\r\nb\n": "a\r\n\r\nb\r\n",
	} {
		require.Equal(t, want, string(toCRLF([]byte(in))), "%q", in)
	}
}

// TestMaildrop_SnapshotAndDelete_RFC1939_6: a session sees the messages of
// its login; Delete removes only those it names, and mail delivered during
// the session stays.
func TestMaildrop_SnapshotAndDelete_RFC1939_6(t *testing.T) {
	s := &Store{}
	s.AddUser("alice", "secret")
	s.Deliver("alice", []byte("one\r\n"))
	s.Deliver("alice", []byte("two\r\n"))
	ctx := context.Background()
	_, err := s.Login(ctx, nil, "alice", "wrong")
	require.Error(t, err)
	_, err = s.Deliver("bob", nil)
	require.ErrorIs(t, err, ErrNoSuchUser)

	md, err := s.Login(ctx, nil, "alice", "secret")
	require.NoError(t, err)
	msgs, err := md.Messages(ctx)
	require.NoError(t, err)
	require.Len(t, msgs, 2)
	uid, err := s.Deliver("alice", []byte("three\r\n"))
	require.NoError(t, err)
	require.Equal(t, "m3", uid)

	rc, err := md.Open(ctx, 2)
	require.NoError(t, err)
	b, _ := io.ReadAll(rc)
	require.Equal(t, "two\r\n", string(b))
	require.NoError(t, md.Delete(ctx, []int{1, 2}))
	require.NoError(t, md.Close(ctx))
	require.Equal(t, []string{"m3"}, s.UIDs("alice"))
	require.Equal(t, [][]byte{[]byte("three\r\n")}, s.Messages("alice"))

	// UIDs are never reused.
	uid, _ = s.Deliver("alice", []byte("four\r\n"))
	require.Equal(t, "m4", uid)

	ok := false
	_, err = s.LoginAPOP(ctx, nil, "alice", func(secret string) bool { ok = secret == "secret"; return ok })
	require.NoError(t, err)
	require.True(t, ok)
}

// TestStore_Scram_RFC5802_3: AddUser keeps SCRAM verifiers of the
// password for both mechanisms, which a changed password replaces; an
// unknown name gets ErrUnknownUser (RFC 5802 section 9); OpenIdentity
// opens a known user's maildrop without the password.
func TestStore_Scram_RFC5802_3(t *testing.T) {
	s := &Store{}
	s.AddUser("alice", "old")
	s.AddUser("alice", "pencil")
	ctx := context.Background()
	for _, mech := range []string{"SCRAM-SHA-256", "SCRAM-SHA-1"} {
		creds, err := s.ScramCredentials(ctx, mech, "alice")
		require.NoError(t, err)
		want, err := pop3.NewScramCredentials(mech, "pencil", creds.Salt, creds.Iterations)
		require.NoError(t, err)
		require.Equal(t, want, creds, mech)
		_, err = s.ScramCredentials(ctx, mech, "bob")
		require.ErrorIs(t, err, pop3.ErrUnknownUser)
	}
	md, err := s.OpenIdentity(ctx, nil, "alice")
	require.NoError(t, err)
	require.NoError(t, md.Close(ctx))
	_, err = s.OpenIdentity(ctx, nil, "bob")
	require.Error(t, err)
}
