package smtptest_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/smtptest"
)

const welcome = "From: shop@example.com\r\nTo: ann@example.org\r\nSubject: Welcome\r\n\r\nHello!\r\n"

// Start serves without a testing.TB, as an Example needs; in a test,
// NewServer(t) does the same and stops the server on t.Cleanup.
func ExampleStart() {
	s, err := smtptest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	ctx := context.Background()
	err = smtp.SendMail(ctx, s.Addr, nil, "shop@example.com", []string{"ann@example.org"}, strings.NewReader(welcome), nil)
	fmt.Println("sent:", err)
	m := s.Messages()[0]
	h, _ := m.Header()
	fmt.Println(m.From, "->", m.To, h.Get("Subject"))
	// Output:
	// sent: <nil>
	// shop@example.com -> [ann@example.org] Welcome
}

// WithUser requires AUTH (RFC 4954); WithInsecureAuth lets the client log
// in without TLS, and the message records who it was.
func ExampleWithUser() {
	s, err := smtptest.Start(smtptest.WithUser("shop", "secret"), smtptest.WithInsecureAuth())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	ctx := context.Background()
	err = smtp.SendMail(ctx, s.Addr, nil, "shop@example.com", []string{"ann@example.org"}, strings.NewReader(welcome), nil)
	fmt.Println("without AUTH:", err)
	auth := smtp.PlainAuth("", "shop", "secret")
	err = smtp.SendMail(ctx, s.Addr, auth, "shop@example.com", []string{"ann@example.org"}, strings.NewReader(welcome), nil)
	fmt.Println("with AUTH:", err, s.Messages()[0].Identity)
	// Output:
	// without AUTH: 530 5.7.0 Authentication required
	// with AUTH: <nil> shop
}

// WaitMessages is woken by the delivery, here made by another goroutine.
func ExampleServer_WaitMessages() {
	s, err := smtptest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go smtp.SendMail(ctx, s.Addr, nil, "shop@example.com", []string{"ann@example.org"}, strings.NewReader(welcome), nil)
	msgs, err := s.WaitMessages(ctx, 1)
	fmt.Println(len(msgs), err, string(msgs[0].Body()))
	// Output:
	// 1 <nil> Hello!
}

// FailCommand refuses MAIL with a temporary error, as a client's retry
// logic must handle (RFC 5321 4.2.5); lifting it lets mail through.
func ExampleServer_FailCommand() {
	s, err := smtptest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	ctx := context.Background()
	s.FailCommand(smtp.VerbMAIL, smtp.NewReply(451, smtp.EnhancedCode{4, 3, 0}, "Try later"))
	err = smtp.SendMail(ctx, s.Addr, nil, "shop@example.com", []string{"ann@example.org"}, strings.NewReader(welcome), nil)
	fmt.Println(err)
	s.FailCommand(smtp.VerbMAIL, nil)
	err = smtp.SendMail(ctx, s.Addr, nil, "shop@example.com", []string{"ann@example.org"}, strings.NewReader(welcome), nil)
	fmt.Println(err, len(s.Messages()))
	// Output:
	// 451 4.3.0 Try later
	// <nil> 1
}
