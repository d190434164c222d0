package pop3maildir_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mailwire/mailwire/message/maildir"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3maildir"
)

// A POP3 server over the Maildirs under a directory, one per user at
// DIR/<user>/Maildir as Dovecot's mail_location = maildir:~/Maildir lays
// them out. A message delivered into the INBOX of the user's Store is in
// the maildrop at the next login; DELE and QUIT remove it from the Store.
func ExampleBackend() {
	dir, err := os.MkdirTemp("", "pop3maildir")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	stores := &maildir.Stores{Path: func(user string) string { return filepath.Join(dir, user, "Maildir") }}
	defer stores.Close()
	backend := &pop3maildir.Backend{
		Stores: stores,
		Authenticate: func(_ context.Context, username, password string) (string, error) {
			if username != "alice" || password != "secret" {
				return "", errors.New("unknown user or wrong password")
			}
			return username, nil
		},
	}

	// Deliver a message, as an MDA would.
	ctx := context.Background()
	store, err := stores.Open("alice")
	if err != nil {
		fmt.Println(err)
		return
	}
	inbox, err := store.Mailbox(ctx, "INBOX")
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, _, err := inbox.Append(ctx, strings.NewReader("Subject: hello\n\nHi Alice.\n"), nil, time.Time{}); err != nil {
		fmt.Println(err)
		return
	}

	// Serve POP3 (here without TLS on the loopback address only).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := &pop3.Server{Domain: "pop.example", Backend: backend, AllowInsecureAuth: true}
	go srv.Serve(l)
	defer srv.Close()

	c, err := pop3.Dial(ctx, l.Addr().String(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		fmt.Println(err)
		return
	}
	n, size, _ := c.Stat(ctx)
	fmt.Println(n, "message,", size, "octets")
	r, err := c.Retr(ctx, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	msg, _ := io.ReadAll(r)
	r.Close()
	fmt.Printf("%q\n", msg)
	c.Dele(ctx, 1)
	c.Quit(ctx)
	infos, _ := inbox.Messages(ctx)
	fmt.Println(len(infos), "messages left")
	// Output:
	// 1 message, 29 octets
	// "Subject: hello\r\n\r\nHi Alice.\r\n"
	// 0 messages left
}
