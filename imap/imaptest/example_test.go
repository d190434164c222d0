package imaptest_test

import (
	"context"
	"testing"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imaptest"
)

// A test starts a server with a user and a message, points the code under
// test at it and checks what the store holds afterwards. (This example
// needs a test's t, so it is compiled but not run.)
func ExampleNewServer() {
	var t *testing.T // the test's t

	s := imaptest.NewServer(t,
		imaptest.WithUser("alice", "secret"),
		imaptest.WithMessage("alice", "INBOX", []byte("Subject: hi\r\n\r\nhello\r\n")))
	ctx := context.Background()

	// The code under test: here, log in and flag the message.
	c, err := imap.Dial(ctx, s.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	seq, _ := imap.ParseSeqSet("1")
	store := c.Store(ctx, seq, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged}}, nil)
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	msgs, _ := s.Messages("alice", "INBOX")
	if len(msgs) != 1 || !hasFlag(msgs[0].Flags, imap.FlagFlagged) {
		t.Errorf("got %+v", msgs)
	}
}

func hasFlag(flags []imap.Flag, f imap.Flag) bool {
	for _, g := range flags {
		if g == f {
			return true
		}
	}
	return false
}
