package smtp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/mailwire/mailwire/smtp"
)

// ExampleClient sends one message step by step: greeting, MAIL, RCPT, the
// data, QUIT.
func ExampleClient() {
	addr, inbox, stop := clientExampleServer()
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := smtp.Dial(ctx, addr, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello(ctx, "client.example"); err != nil {
		log.Fatal(err)
	}
	if err := c.Mail(ctx, "alice@example.org", nil); err != nil {
		log.Fatal(err)
	}
	if err := c.Rcpt(ctx, "bob@example.net", nil); err != nil {
		log.Fatal(err)
	}
	w, err := c.Data(ctx)
	if err != nil {
		log.Fatal(err)
	}
	io.WriteString(w, "Subject: Hello\r\n\r\n.A line that starts with a dot.\r\n")
	if err := w.Close(); err != nil {
		log.Fatal(err) // the server refused the message: a *smtp.Reply
	}
	if err := c.Quit(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Print(inbox.String())
	// Output:
	// from alice@example.org to [bob@example.net]
	// Subject: Hello
	//
	// .A line that starts with a dot.
}

// ExampleClient_Send sends a message to several recipients in one
// transaction; with PIPELINING the whole envelope goes in one round trip.
// A refused recipient does not stop delivery to the others.
func ExampleClient_Send() {
	addr, inbox, stop := clientExampleServer()
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := smtp.Dial(ctx, addr, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello(ctx, ""); err != nil {
		log.Fatal(err)
	}
	fmt.Println("pipelining:", c.Supports("PIPELINING"))

	msg := strings.NewReader("Subject: Team lunch\r\n\r\nFriday, noon.\r\n")
	err = c.Send(ctx, "alice@example.org", []string{"bob@example.net", "nobody@example.net", "carol@example.net"}, msg, nil)
	var partial *smtp.SendError
	if errors.As(err, &partial) {
		for _, f := range partial.Failed {
			fmt.Printf("refused %s: %d %s\n", f.Recipient, f.Reply.Code, f.Reply.Enhanced)
		}
		fmt.Println("delivered to", partial.Delivered)
	} else if err != nil {
		log.Fatal(err)
	}
	c.Quit(ctx)
	fmt.Print(inbox.String())
	// Output:
	// pipelining: true
	// refused nobody@example.net: 550 5.1.1
	// delivered to 2
	// from alice@example.org to [bob@example.net carol@example.net]
	// Subject: Team lunch
	//
	// Friday, noon.
}

// ExampleSendMail sends a message in one call. Over the Internet, pass
// smtp.PlainAuth(...) to authenticate; SendMail upgrades to TLS first when
// the server offers STARTTLS.
func ExampleSendMail() {
	addr, inbox, stop := clientExampleServer()
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg := strings.NewReader("Subject: Report\r\n\r\nAll good.\r\n")
	if err := smtp.SendMail(ctx, addr, nil, "alice@example.org", []string{"bob@example.net"}, msg, nil); err != nil {
		log.Fatal(err)
	}
	fmt.Print(inbox.String())
	// Output:
	// from alice@example.org to [bob@example.net]
	// Subject: Report
	//
	// All good.
}

// clientExampleServer starts an smtp.Server on 127.0.0.1 that keeps what
// it receives in memory and refuses nobody@example.net.
func clientExampleServer() (addr string, inbox *clientExampleInbox, stop func()) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	inbox = &clientExampleInbox{}
	srv := &smtp.Server{Domain: "mx.example.net", Backend: smtp.BackendFunc(func(context.Context, *smtp.Conn) (smtp.Session, error) {
		return &clientExampleSession{inbox: inbox}, nil
	})}
	go srv.Serve(l)
	return l.Addr().String(), inbox, func() { srv.Close() }
}

type clientExampleInbox struct {
	mu sync.Mutex
	b  strings.Builder
}

func (in *clientExampleInbox) String() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.b.String()
}

type clientExampleSession struct {
	inbox *clientExampleInbox
	from  string
	to    []string
}

func (s *clientExampleSession) Mail(ctx context.Context, from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *clientExampleSession) Rcpt(ctx context.Context, to string, _ *smtp.RcptOptions) error {
	if to == "nobody@example.net" {
		return smtp.NewReply(smtp.CodeMailboxUnavailable, smtp.EnhancedCode{5, 1, 1}, "No such user")
	}
	s.to = append(s.to, to)
	return nil
}

func (s *clientExampleSession) Data(ctx context.Context, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.inbox.mu.Lock()
	defer s.inbox.mu.Unlock()
	fmt.Fprintf(&s.inbox.b, "from %s to %v\n%s", s.from, s.to, strings.ReplaceAll(string(data), "\r\n", "\n"))
	return nil
}

func (s *clientExampleSession) Reset(ctx context.Context)        { s.from, s.to = "", nil }
func (s *clientExampleSession) Logout(ctx context.Context) error { return nil }
