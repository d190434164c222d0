package imaptest_test

import (
	"context"
	"fmt"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imaptest"
)

// countInbox stands for the code under test: it logs in and reports how
// many messages INBOX holds (RFC 3501 section 6.3.1, EXISTS).
func countInbox(ctx context.Context, addr string) (uint32, error) {
	c, err := imap.Dial(ctx, addr, nil)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		return 0, err
	}
	mb, err := c.Select(ctx, imap.Inbox, nil)
	if err != nil {
		return 0, err
	}
	return mb.NumMessages, c.Logout(ctx)
}

// Start serves without a testing.TB, as an Example needs; in a test,
// NewServer(t) does the same and stops the server on t.Cleanup. WithUser
// preloads INBOX.
func ExampleStart() {
	s, err := imaptest.Start(imaptest.WithInsecureAuth(), imaptest.WithUser("alice", "secret",
		[]byte("Subject: one\r\n\r\n1\r\n"), []byte("Subject: two\r\n\r\n2\r\n")))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	fmt.Println(countInbox(context.Background(), s.Addr))
	// Output:
	// 2 <nil>
}

// Without WithInsecureAuth the server refuses LOGIN over cleartext (RFC
// 3501 section 6.2.3: LOGINDISABLED), as a production server should.
func ExampleWithUser() {
	s, err := imaptest.Start(imaptest.WithUser("alice", "secret"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	_, err = countInbox(context.Background(), s.Addr)
	fmt.Println(err != nil)
	// Output:
	// true
}

// Deliver is where an SMTP test server's OnMessage hook drops mail;
// WaitMessages is woken by it, and Messages shows what the store holds.
func ExampleServer_WaitMessages() {
	s, err := imaptest.Start(imaptest.WithUser("alice", "secret"), imaptest.WithInsecureAuth())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	ctx := context.Background()
	go s.Deliver("alice", imap.Inbox, []byte("Subject: late\r\n\r\nhi\r\n"))
	fmt.Println(s.WaitMessages(ctx, 1))
	msgs, _ := s.Messages("alice", imap.Inbox)
	fmt.Printf("%d %q\n", msgs[0].UID, msgs[0].Data)
	// Output:
	// <nil>
	// 1 "Subject: late\r\n\r\nhi\r\n"
}

// FailCommand answers SELECT with NO [UNAVAILABLE] (RFC 5530 section 3),
// which the code under test returns, until the fault is lifted.
func ExampleServer_FailCommand() {
	s, err := imaptest.Start(imaptest.WithInsecureAuth(),
		imaptest.WithUser("alice", "secret", []byte("Subject: one\r\n\r\n1\r\n")))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	ctx := context.Background()
	s.FailCommand("SELECT", &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeUnavailable, Text: "Try later"})
	fmt.Println(countInbox(ctx, s.Addr))
	s.FailCommand("SELECT", nil)
	fmt.Println(countInbox(ctx, s.Addr))
	// Output:
	// 0 imap: NO [UNAVAILABLE] Try later
	// 1 <nil>
}
