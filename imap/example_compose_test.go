package imap_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/smtp"
)

// deliverBackend is an SMTP backend that hands every accepted message to
// one store's Deliver: the MDA between an SMTP server and an IMAP server
// (RFC 5598 section 4.3.2). Recipients are mailboxes of the store named
// by their local part.
type deliverBackend struct{ store *imapmem.Backend }

func (b deliverBackend) NewSession(context.Context, *smtp.Conn) (smtp.Session, error) {
	return &deliverSession{store: b.store}, nil
}

type deliverSession struct {
	store *imapmem.Backend
	rcpts []string
}

func (s *deliverSession) Mail(context.Context, string, *smtp.MailOptions) error { return nil }

func (s *deliverSession) Rcpt(ctx context.Context, to string, _ *smtp.RcptOptions) error {
	user, _, _ := strings.Cut(to, "@")
	s.rcpts = append(s.rcpts, user)
	return nil
}

// Data stores the message for each recipient before returning, so the
// SMTP server answers 250 only once the mail is in the store.
func (s *deliverSession) Data(ctx context.Context, r io.Reader) error {
	msg, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	for _, user := range s.rcpts {
		if _, err := s.store.Deliver(user, imap.Inbox, bytes.NewReader(msg)); err != nil {
			return err
		}
	}
	return nil
}

func (s *deliverSession) Reset(ctx context.Context)        { s.rcpts = nil }
func (s *deliverSession) Logout(ctx context.Context) error { return nil }

// Example_smtpInIMAPOut composes an SMTP server and an IMAP server on one
// in-memory store: a message sent over SMTP is read back over IMAP.
func Example_smtpInIMAPOut() {
	ctx := context.Background()
	store := imapmem.New()
	store.AddUser("alice", "secret")

	smtpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	smtpSrv := &smtp.Server{Domain: "mx.example.org", Backend: deliverBackend{store}}
	go smtpSrv.Serve(smtpLn)
	defer smtpSrv.Shutdown(ctx)

	imapLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	// Loopback only: LOGIN without TLS is allowed for the example.
	imapSrv := &imap.Server{Backend: store, AllowInsecureAuth: true}
	go imapSrv.Serve(imapLn)
	defer imapSrv.Shutdown(ctx)

	msg := "From: Bob <bob@example.net>\r\n" +
		"To: Alice <alice@example.org>\r\n" +
		"Subject: Lunch?\r\n" +
		"\r\n" +
		"Pizza at noon.\r\n"
	err = smtp.SendMail(ctx, smtpLn.Addr().String(), nil, "bob@example.net", []string{"alice@example.org"}, strings.NewReader(msg), nil)
	if err != nil {
		panic(err)
	}

	c, err := imap.Dial(ctx, imapLn.Addr().String(), nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		panic(err)
	}
	mb, err := c.Select(ctx, imap.Inbox, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("messages:", mb.NumMessages)

	f := c.Fetch(ctx, imap.SeqSetNum(1), &imap.FetchOptions{
		Envelope:    true,
		BodySection: []*imap.FetchItemBodySection{{Specifier: imap.PartText, Peek: true}},
	})
	for m := f.Next(); m != nil; m = f.Next() {
		for item := m.Next(); item != nil; item = m.Next() {
			switch it := item.(type) {
			case imap.FetchItemDataEnvelope:
				fmt.Println("subject:", it.Envelope.Subject)
				fmt.Println("from:", it.Envelope.From[0].Addr())
			case imap.FetchItemDataBodySection:
				body, _ := io.ReadAll(it.Literal)
				fmt.Printf("body: %q\n", body)
			}
		}
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
	if err := c.Logout(ctx); err != nil {
		panic(err)
	}
	// Output:
	// messages: 1
	// subject: Lunch?
	// from: bob@example.net
	// body: "Pizza at noon.\r\n"
}
