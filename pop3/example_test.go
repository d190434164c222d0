package pop3_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"time"

	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3mem"
)

// A server over the in-memory store, stopped with Shutdown.
func ExampleServer() {
	store := &pop3mem.Store{}
	store.AddUser("alice", "secret")
	store.Deliver("alice", []byte("Subject: hello\n\nHi Alice.\n"))

	srv := &pop3.Server{
		Domain:  "pop.example.test",
		Backend: store,
		// Tests on loopback only; production sets TLSConfig instead.
		AllowInsecureAuth: true,
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- srv.Serve(l) }()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := pop3.Dial(ctx, l.Addr().String(), nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		log.Fatal(err)
	}
	n, size, _ := c.Stat(ctx)
	fmt.Println(n, "message,", size, "octets")
	c.Quit(ctx)

	srv.Shutdown(ctx)
	fmt.Println(<-done)
	// Output:
	// 1 message, 29 octets
	// pop3: server closed
}

// A client that retrieves every message, then deletes them: the server
// removes them only once Quit succeeds.
func ExampleClient() {
	addr, stop := exampleServer() // a POP3 server holding one message for alice
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := pop3.Dial(ctx, addr, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// Dial asked for the capabilities: Login pipelines when it may.
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		log.Fatal(err)
	}
	uids, err := c.Uidl(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range uids {
		r, err := c.Retr(ctx, u.Number)
		if err != nil {
			log.Fatal(err)
		}
		msg, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %q\n", u.UID, msg)
		if err := c.Dele(ctx, u.Number); err != nil {
			log.Fatal(err)
		}
	}
	if err := c.Quit(ctx); err != nil {
		log.Fatal(err) // a *pop3.Response: nothing was deleted
	}
	// Output:
	// m1: "Subject: hello\r\n\r\nHi Alice.\r\n"
}

// exampleServer starts a server with one message for alice/secret.
func exampleServer() (addr string, stop func()) {
	store := &pop3mem.Store{}
	store.AddUser("alice", "secret")
	store.Deliver("alice", []byte("Subject: hello\r\n\r\nHi Alice.\r\n"))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &pop3.Server{Backend: store, AllowInsecureAuth: true}
	go srv.Serve(l)
	return l.Addr().String(), func() { srv.Close() }
}
