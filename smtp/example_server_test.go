package smtp_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"

	"github.com/mailwire/mailwire/smtp"
)

// mailLog is a Backend that accepts mail for example.org and prints each
// message it receives.
type mailLog struct{}

func (mailLog) NewSession(ctx context.Context, c *smtp.Conn) (smtp.Session, error) {
	return &logSession{}, nil
}

type logSession struct {
	from string
	to   []string
}

func (s *logSession) Mail(ctx context.Context, from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

// Rcpt refuses other domains with the exact reply the client should see
// (RFC 5321 4.2.2, RFC 3463 5.1.1).
func (s *logSession) Rcpt(ctx context.Context, to string, _ *smtp.RcptOptions) error {
	if !strings.HasSuffix(to, "@example.org") {
		return smtp.NewReply(smtp.CodeMailboxUnavailable, smtp.EnhancedCode{5, 1, 1}, "No such user here")
	}
	s.to = append(s.to, to)
	return nil
}

// Data reads the whole message; returning nil makes the server answer 250.
func (s *logSession) Data(ctx context.Context, r io.Reader) error {
	msg, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	fmt.Printf("backend: from %s to %v\n%s", s.from, s.to, strings.ReplaceAll(string(msg), "\r\n", "\n"))
	return nil
}

func (s *logSession) Reset(ctx context.Context)        { s.from, s.to = "", nil }
func (s *logSession) Logout(ctx context.Context) error { return nil }

// A server with a backend, on a port of its own; a client made of
// net/textproto sends it one message.
func ExampleServer() {
	srv := &smtp.Server{Domain: "mx.example.org", Backend: mailLog{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())

	c, err := textproto.Dial("tcp", l.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	command := func(code int, line string) {
		if line != "" {
			c.PrintfLine("%s", line)
		}
		got, text, _ := c.ReadResponse(0)
		if got != code {
			fmt.Println("client:", got, text)
		}
	}
	command(220, "")
	command(250, "EHLO client.example.com")
	command(250, "MAIL FROM:<alice@example.com>")
	command(250, "RCPT TO:<bob@example.org>")
	command(250, "RCPT TO:<carol@elsewhere.test>")
	command(354, "DATA")
	w := c.DotWriter()
	io.WriteString(w, "Subject: Hello\n\nHi Bob.\n.signature line\n")
	w.Close()
	command(250, "")
	command(221, "QUIT")

	// Output:
	// client: 550 5.1.1 No such user here
	// backend: from alice@example.com to [bob@example.org]
	// Subject: Hello
	//
	// Hi Bob.
	// .signature line
}
