package queue_test

import (
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/queue"
)

// A queue on disk, fed by an SMTP server: the server answers 250 once
// the message is on stable storage.
func Example() {
	dir, _ := os.MkdirTemp("", "spool")
	defer os.RemoveAll(dir)
	spool, err := queue.OpenSpool(dir)
	if err != nil {
		log.Fatal(err)
	}
	q, err := queue.Open(spool)
	if err != nil {
		log.Fatal(err)
	}
	srv := &smtp.Server{Domain: "mx.example.org", Backend: &queue.Backend{Queue: q, Hostname: "mx.example.org"}}
	_ = srv // srv.ListenAndServe() in a real program

	// Enqueue directly, as a program that makes its own mail does.
	id, err := q.Enqueue(&queue.Entry{From: "alice@example.org", Recipients: []queue.Recipient{{Addr: "bob@example.net"}}},
		strings.NewReader("Subject: hi\r\n\r\nHello.\r\n"))
	if err != nil {
		log.Fatal(err)
	}
	e, _ := q.Get(id)
	fmt.Println(e.From, e.Recipients[0].Addr, e.Recipients[0].State, e.Size)
	// Output: alice@example.org bob@example.net pending 23
}
