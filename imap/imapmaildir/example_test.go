package imapmaildir_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmaildir"
	"github.com/mailwire/mailwire/message/maildir"
)

// An imap.Server serving each user's ~/Maildir, laid out as Dovecot lays
// it out (mail_location = maildir:~/Maildir), so that Dovecot, a
// delivery agent and other processes of this server can share it. The
// mailbox "Lists/go" is the Maildir++ folder ".Lists.go".
func ExampleBackend() {
	home, _ := os.MkdirTemp("", "imapmaildir-example")
	defer os.RemoveAll(home)
	stores := &maildir.Stores{Path: func(user string) string { return filepath.Join(home, user, "Maildir") }}
	defer stores.Close()
	backend := &imapmaildir.Backend{
		Stores: stores,
		Authenticate: func(_ context.Context, username, password string) (string, error) {
			if username != "alice" || password != "secret" {
				return "", errors.New("unknown user or wrong password")
			}
			return username, nil
		},
	}
	srv := &imap.Server{Backend: backend, AllowInsecureAuth: true}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(l)
	defer srv.Close()

	ctx := context.Background()
	c, err := imap.Dial(ctx, l.Addr().String(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		fmt.Println(err)
		return
	}
	if err := c.Create(ctx, "Lists/go"); err != nil {
		fmt.Println(err)
	}
	msg := "Subject: hello\r\n\r\nhi\r\n"
	data, err := c.Append(ctx, "Lists/go", int64(len(msg)), strings.NewReader(msg), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("appended as UID", data.UID)
	if _, err := os.Stat(filepath.Join(home, "alice", "Maildir", ".Lists.go", "dovecot-uidlist")); err == nil {
		fmt.Println("folder .Lists.go has a dovecot-uidlist")
	}
	err = c.Create(ctx, "v1.2")
	var st *imap.StatusResponse
	if errors.As(err, &st) {
		fmt.Println("CREATE v1.2:", st.Type, st.Code)
	}
	// Output:
	// appended as UID 1
	// folder .Lists.go has a dovecot-uidlist
	// CREATE v1.2: NO CANNOT
}
