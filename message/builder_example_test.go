package message_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/mailwire/mailwire/message"
)

// Build a message with a text body and an attachment with a Korean file
// name, and print its structure as a reader sees it.
func ExampleBuilder() {
	b := &message.Builder{Text: &message.BodyPart{Body: strings.NewReader("The report is attached.\r\n")}}
	b.Header.SetAddressList("From", []*message.Address{{Name: "홍길동", Addr: "gildong@example.kr"}})
	b.Header.SetAddressList("To", []*message.Address{{Name: "Mary Smith", Addr: "mary@example.net"}})
	b.Header.SetText("Subject", "Quarterly report 보고서")
	b.Attachments = []message.BodyPart{{
		Filename:    "보고서.pdf",
		ContentType: "application/pdf",
		Body:        strings.NewReader("%PDF-1.4 ..."), // an *os.File in real use
	}}

	// The boundary is random: show the structure instead of the bytes.
	s, err := message.ReadStructure(b.Reader())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Envelope.Subject)
	for i, p := range s.Parts {
		line := fmt.Sprint(i+1, " ", p.MediaType(), " ", p.Encoding, " ", p.Disposition, " ", p.Params.Get("name"), " ", p.DispositionParams.Get("filename"))
		fmt.Println(strings.TrimSpace(line))
	}
	// Output:
	// Quarterly report =?UTF-8?B?67O06rOg7ISc?=
	// 1 text/plain 7bit
	// 2 application/pdf base64 attachment 보고서.pdf 보고서.pdf
}

// Derive the SMTP envelope of a message: the Bcc recipient is in RCPT TO
// but not in the message. With an smtp.Client c, the message is sent with
//
//	err = c.Send(ctx, env.MailFrom, env.RcptTo, b.Reader(), nil)
func ExampleBuilder_Envelope() {
	b := &message.Builder{Text: &message.BodyPart{Body: strings.NewReader("Lunch at noon?\n")}}
	b.Header.SetAddressList("From", []*message.Address{{Name: "Mary Smith", Addr: "mary@example.net"}})
	b.Header.SetAddressList("To", []*message.Address{{Name: "John Doe", Addr: "jdoe@example.org"}})
	b.Header.SetAddressList("Cc", []*message.Address{{Addr: "JDoe@EXAMPLE.org"}, {Addr: "jdoe@Example.Org"}})
	b.Header.SetAddressList("Bcc", []*message.Address{{Addr: "boss@example.net"}})
	b.Header.Set("Subject", "Lunch")
	b.Header.Set("Date", "Mon, 15 Jan 2024 09:30:00 +0000")
	b.Header.Set("Message-ID", "<lunch-1@example.net>")

	env, err := b.Envelope()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("MAIL FROM:<%s>\n", env.MailFrom)
	for _, to := range env.RcptTo {
		fmt.Printf("RCPT TO:<%s>\n", to)
	}
	fmt.Println()
	var out strings.Builder
	if _, err := io.Copy(&out, b.Reader()); err != nil {
		log.Fatal(err)
	}
	// Lines end in CRLF on the wire; LF here for display.
	io.WriteString(os.Stdout, strings.ReplaceAll(out.String(), "\r\n", "\n"))
	// Output:
	// MAIL FROM:<mary@example.net>
	// RCPT TO:<jdoe@example.org>
	// RCPT TO:<JDoe@EXAMPLE.org>
	// RCPT TO:<boss@example.net>
	//
	// From: Mary Smith <mary@example.net>
	// To: John Doe <jdoe@example.org>
	// Cc: <JDoe@EXAMPLE.org>, <jdoe@Example.Org>
	// Subject: Lunch
	// Date: Mon, 15 Jan 2024 09:30:00 +0000
	// Message-ID: <lunch-1@example.net>
	// Content-Type: text/plain; charset=utf-8
	// Content-Transfer-Encoding: 7bit
	// MIME-Version: 1.0
	//
	// Lunch at noon?
}
