package pop3test_test

import (
	"context"
	"testing"

	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3test"
)

// A test starts a server with a user and messages, runs the code under
// test against it and checks which messages it deleted (RFC 1939 section
// 6: only in the UPDATE state, after QUIT). (This example needs a test's
// t, so it is compiled but not run.)
func ExampleNewServer() {
	var t *testing.T // the test's t

	s := pop3test.NewServer(t, pop3test.WithUser("alice", "secret",
		[]byte("Subject: one\r\n\r\n1\r\n"), []byte("Subject: two\r\n\r\n2\r\n")))
	ctx := context.Background()

	// The code under test: here, delete the first message.
	c, err := pop3.Dial(ctx, s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	c.InsecureAuth = true // the test server listens on 127.0.0.1
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	if err := c.Dele(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatal(err)
	}

	if err := s.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.Deleted("alice"); len(got) != 1 {
		t.Errorf("deleted %v, want the first message only", got)
	}
}
