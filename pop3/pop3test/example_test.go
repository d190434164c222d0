package pop3test_test

import (
	"context"
	"fmt"
	"io"

	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3test"
)

// retrieve stands for the code under test: it logs in, prints each message
// and deletes it, as a mail fetcher does (RFC 1939 sections 5 and 6).
func retrieve(ctx context.Context, addr string) error {
	c, err := pop3.Dial(ctx, addr, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		return err
	}
	n, _, err := c.Stat(ctx)
	if err != nil {
		return err
	}
	for i := 1; i <= n; i++ {
		r, err := c.Retr(ctx, i)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return err
		}
		fmt.Printf("%d: %q\n", i, b)
		if err := c.Dele(ctx, i); err != nil {
			return err
		}
	}
	return c.Quit(ctx)
}

// Start serves without a testing.TB, as an Example needs; in a test,
// NewServer(t) does the same and stops the server on t.Cleanup. WithUser
// preloads the maildrop, and Deleted tells what UPDATE removed.
func ExampleStart() {
	s, err := pop3test.Start(pop3test.WithInsecureAuth(), pop3test.WithUser("alice", "secret",
		[]byte("Subject: one\r\n\r\n1\r\n"), []byte("Subject: two\r\n\r\n2\r\n")))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	ctx := context.Background()
	fmt.Println(retrieve(ctx, s.Addr))
	fmt.Println(s.WaitIdle(ctx), s.Deleted("alice"), len(s.Messages("alice")))
	// Output:
	// 1: "Subject: one\r\n\r\n1\r\n"
	// 2: "Subject: two\r\n\r\n2\r\n"
	// <nil>
	// <nil> [m1 m2] 0
}

// Without WithInsecureAuth the server refuses a password over cleartext
// (RFC 2595 section 2.1), as a production server should.
func ExampleWithUser() {
	s, err := pop3test.Start(pop3test.WithUser("alice", "secret"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	fmt.Println(retrieve(context.Background(), s.Addr))
	// Output:
	// -ERR [AUTH] Plaintext authentication disallowed on non-secure connection; use STLS
}

// Deliver is where an SMTP test server's OnMessage hook drops mail;
// WaitMessages is woken by it.
func ExampleServer_WaitMessages() {
	s, err := pop3test.Start(pop3test.WithUser("alice", "secret"), pop3test.WithInsecureAuth())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	ctx := context.Background()
	go s.Deliver("alice", []byte("Subject: late\r\n\r\nhi\r\n"))
	fmt.Println(s.WaitMessages(ctx, 1))
	fmt.Println(retrieve(ctx, s.Addr))
	// Output:
	// <nil>
	// 1: "Subject: late\r\n\r\nhi\r\n"
	// <nil>
}

// FailCommand answers RETR with a temporary error (RFC 3206 section 4),
// which the code under test returns.
func ExampleServer_FailCommand() {
	s, err := pop3test.Start(pop3test.WithInsecureAuth(),
		pop3test.WithUser("alice", "secret", []byte("Subject: one\r\n\r\n1\r\n")))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	s.FailCommand(pop3.VerbRETR, pop3.ErrResponse(pop3.CodeSysTemp, "Try later"))
	fmt.Println(retrieve(context.Background(), s.Addr))
	fmt.Println(len(s.Messages("alice")))
	// Output:
	// -ERR [SYS/TEMP] Try later
	// 1
}
