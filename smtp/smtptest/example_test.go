package smtptest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/smtptest"
)

// sendWelcome stands for the code under test: it mails a new user.
func sendWelcome(ctx context.Context, addr, user string) error {
	msg := "From: shop@example.com\r\nTo: " + user + "\r\nSubject: Welcome\r\n\r\nHello!\r\n"
	return smtp.SendMail(ctx, addr, smtp.PlainAuth("", "shop", "secret"), "shop@example.com", []string{user}, strings.NewReader(msg))
}

// A test starts a server that requires AUTH, runs the code under test
// against it, waits for the message and checks it. (This example needs a
// test's t, so it is compiled but not run; the package's tests run the
// same steps.)
func ExampleNewServer() {
	var t *testing.T // the test's t

	s := smtptest.NewServer(t, smtptest.WithAuth("shop", "secret"))
	ctx := context.Background()
	if err := sendWelcome(ctx, s.Addr, "ann@example.org"); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.WaitMessages(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := msgs[0].Header()
	if msgs[0].To[0] != "ann@example.org" || h.Get("Subject") != "Welcome" || msgs[0].Identity != "shop" {
		t.Errorf("got %+v", msgs[0])
	}
}

// The example's steps, run for real.
func TestExampleNewServer(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithAuth("shop", "secret"))
	if err := sendWelcome(ctx(t), s.Addr, "ann@example.org"); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.WaitMessages(ctx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := msgs[0].Header()
	if msgs[0].To[0] != "ann@example.org" || h.Get("Subject") != "Welcome" || msgs[0].Identity != "shop" {
		t.Errorf("got %+v", msgs[0])
	}
}
