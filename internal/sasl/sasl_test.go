package sasl

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

var errBad = errors.New("bad credentials")

func checkPlain(identity, user, pass string) error {
	if identity != "" && identity != user {
		return errBad
	}
	if user == "alice" && pass == "secret" {
		return nil
	}
	return errBad
}

func TestPlain_RFC4616_2(t *testing.T) {
	c := NewPlainClient("", "alice", "secret")
	mech, ir, err := c.Start()
	require.NoError(t, err)
	require.Equal(t, "PLAIN", mech)
	require.Equal(t, "\x00alice\x00secret", string(ir))

	for _, tc := range []struct {
		name string
		resp string
		err  error
	}{
		{"ok", "\x00alice\x00secret", nil},
		{"authzid equals authcid", "alice\x00alice\x00secret", nil},
		{"wrong password", "\x00alice\x00nope", errBad},
		{"two fields", "alice\x00secret", ErrMalformed},
		{"four fields", "a\x00b\x00c\x00d", ErrMalformed},
		{"empty authcid", "\x00\x00secret", ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewPlainServer(checkPlain)
			_, done, err := s.Next([]byte(tc.resp))
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, tc.err == nil, done)
		})
	}
}

func TestPlain_NoInitialResponse_RFC4616_2(t *testing.T) {
	s := NewPlainServer(checkPlain)
	ch, done, err := s.Next(nil)
	require.NoError(t, err)
	require.False(t, done)
	require.Empty(t, ch)
	_, done, err = s.Next([]byte("\x00alice\x00secret"))
	require.NoError(t, err)
	require.True(t, done)
	_, _, err = s.Next([]byte("more"))
	require.ErrorIs(t, err, ErrUnexpected)
}

func TestLogin(t *testing.T) {
	check := func(u, p string) error { return checkPlain("", u, p) }
	run := func(s Server, c Client, useIR bool) error {
		_, ir, err := c.Start()
		require.NoError(t, err)
		require.Nil(t, ir)
		var resp []byte
		if useIR {
			resp = []byte("alice")
			c.(*loginClient).step = 1
		}
		for i := 0; i < 4; i++ {
			ch, done, err := s.Next(resp)
			if err != nil || done {
				return err
			}
			resp, err = c.Next(ch)
			require.NoError(t, err)
		}
		t.Fatal("exchange did not end")
		return nil
	}
	require.NoError(t, run(NewLoginServer(check), NewLoginClient("alice", "secret"), false))
	require.NoError(t, run(NewLoginServer(check), NewLoginClient("alice", "secret"), true))
	require.ErrorIs(t, run(NewLoginServer(check), NewLoginClient("alice", "wrong"), false), errBad)
}

func TestLoginClient_PromptOrder(t *testing.T) {
	c := NewLoginClient("u", "p")
	r, err := c.Next([]byte("VXNlcm5hbWU6 is not decoded here"))
	require.NoError(t, err)
	require.Equal(t, "u", string(r))
	r, err = c.Next([]byte("anything"))
	require.NoError(t, err)
	require.Equal(t, "p", string(r))
	_, err = c.Next([]byte("third"))
	require.ErrorIs(t, err, ErrUnexpected)
}

func TestXOAuth2(t *testing.T) {
	mech, ir, err := NewXOAuth2Client("bob@example.org", "tok").Start()
	require.NoError(t, err)
	require.Equal(t, "XOAUTH2", mech)
	require.Equal(t, "user=bob@example.org\x01auth=Bearer tok\x01\x01", string(ir))
}
