package relay_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/mailwire/mailwire/smtp/queue"
	"github.com/mailwire/mailwire/smtp/relay"
)

// A relay that sends everything through a smart host and stops when
// the queue is empty.
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
	r := &relay.Relay{
		Queue:    q,
		Hostname: "mx.example.org",
		// "*" routes every domain to one host, as Postfix's relayhost.
		Routes: map[string]string{"*": "smarthost.example.org:587"},
		TLS:    relay.TLSRequired,
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a real program runs until it shuts down
	fmt.Println(r.Run(ctx))
	_, err = q.Enqueue(&queue.Entry{From: "alice@example.org", Recipients: []queue.Recipient{{Addr: "bob@example.net"}}},
		strings.NewReader("Subject: hi\r\n\r\nHello.\r\n"))
	fmt.Println(err, len(q.Entries()))
	// Output:
	// context canceled
	// <nil> 1
}
