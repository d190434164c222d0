package pop3maildir_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/mailwire/mailwire/message/maildir"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3maildir"
)

// passwords are the test users' (Authenticate also takes the address at
// example.test, as examples/mailserver does).
var passwords = map[string]string{"alice": "secret", "bob": "hunter2"}

func authenticate(_ context.Context, username, password string) (string, error) {
	user, _ := strings.CutSuffix(strings.ToLower(username), "@example.test")
	if p, ok := passwords[user]; !ok || p != password {
		return "", errors.New("wrong password")
	}
	return user, nil
}

// newStores returns Stores over dir (dir/<user>/Maildir, Dovecot's
// mail_location = maildir:~/Maildir), closed when t ends.
func newStores(t *testing.T, dir string) *maildir.Stores {
	t.Helper()
	stores := &maildir.Stores{Path: func(user string) string { return filepath.Join(dir, user, "Maildir") }}
	t.Cleanup(func() { stores.Close() })
	return stores
}

// serve runs a pop3.Server over a Backend on stores on 127.0.0.1 and
// returns its address. Failed logins are answered at once.
func serve(t *testing.T, stores *maildir.Stores) string {
	t.Helper()
	b := &pop3maildir.Backend{Stores: stores, Authenticate: authenticate}
	return servertest.Serve(t, &pop3.Server{Domain: "pop.test", Backend: b, AllowInsecureAuth: true, AuthFailureDelay: -1})
}

// inbox returns the INBOX of user's Store.
func inbox(t *testing.T, stores *maildir.Stores, user string) *maildir.Mailbox {
	t.Helper()
	s, err := stores.Open(user)
	require.NoError(t, err)
	mb, err := s.Mailbox(context.Background(), "INBOX")
	require.NoError(t, err)
	return mb
}

// deliver appends the messages to the INBOX and returns their UIDs and
// the INBOX UIDVALIDITY.
func deliver(t *testing.T, mb *maildir.Mailbox, msgs ...string) (uids []uint32, validity uint32) {
	t.Helper()
	for _, m := range msgs {
		v, uid, err := mb.Append(context.Background(), strings.NewReader(m), nil, time.Time{})
		require.NoError(t, err)
		uids, validity = append(uids, uid), v
	}
	return uids, validity
}

// login connects to addr and logs in with USER/PASS.
func login(t *testing.T, addr, user, password string) (*pop3.Client, error) {
	t.Helper()
	ctx := context.Background()
	c, err := pop3.Dial(ctx, addr, nil)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c, c.Login(ctx, user, password)
}

// mustLogin is login that must succeed.
func mustLogin(t *testing.T, addr, user, password string) *pop3.Client {
	t.Helper()
	c, err := login(t, addr, user, password)
	require.NoError(t, err)
	return c
}

// code is the response code of a POP3 -ERR.
func code(t *testing.T, err error) pop3.ResponseCode {
	t.Helper()
	var r *pop3.Response
	require.True(t, errors.As(err, &r), "want a POP3 response, got %v", err)
	return r.Code
}

// retr reads message n.
func retr(t *testing.T, c *pop3.Client, n int) string {
	t.Helper()
	r, err := c.Retr(context.Background(), n)
	require.NoError(t, err)
	data, err := io.ReadAll(r)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	return string(data)
}

// uids lists the UIDs of the messages in mb.
func uids(t *testing.T, mb *maildir.Mailbox) []uint32 {
	t.Helper()
	infos, err := mb.Messages(context.Background())
	require.NoError(t, err)
	var out []uint32
	for _, info := range infos {
		out = append(out, info.UID)
	}
	return out
}
