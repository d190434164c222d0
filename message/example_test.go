package message_test

import (
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/mailwire/mailwire/message"
)

// Read a message and print its parts, their bodies decoded to UTF-8.
func ExampleReader() {
	const msg = "From: =?EUC-KR?B?yKux5rW/?= <gildong@example.kr>\r\n" +
		"Subject: =?EUC-KR?B?yLjAxyDA2rfh?=\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n" +
		"\r\n" +
		"--b\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n" +
		"\r\n" +
		"Caf=C3=A9 at ten?\r\n" +
		"--b\r\n" +
		"Content-Type: application/pdf\r\n" +
		"Content-Disposition: attachment; filename*=utf-8''%EB%B3%B4%EA%B3%A0%EC%84%9C.pdf\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" +
		"JVBERi0xLjQ=\r\n" +
		"--b--\r\n"

	r := message.NewReader(strings.NewReader(msg))
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		if p.Parent == nil {
			subject, _ := p.Header.Text("Subject")
			from, _ := p.Header.AddressList("From")
			fmt.Printf("%s from %s\n", subject, from[0].Name)
		}
		indent := strings.Repeat("  ", p.Depth)
		if p.IsMultipart() {
			fmt.Printf("%s%s\n", indent, p.MediaType)
			continue
		}
		if _, params, _ := p.Header.ContentDisposition(); params.Get("filename") != "" {
			n, _ := io.Copy(io.Discard, p.Body())
			fmt.Printf("%s%s %q, %d bytes\n", indent, p.MediaType, params.Get("filename"), n)
			continue
		}
		text, _ := p.Text()
		body, _ := io.ReadAll(text)
		fmt.Printf("%s%s: %q\n", indent, p.MediaType, body)
	}
	// Output:
	// 회의 자료 from 홍길동
	// multipart/mixed
	//   text/plain: "Café at ten?"
	//   application/pdf "보고서.pdf", 8 bytes
}

// Summarise a message for IMAP: serve BODY[2.MIME] and BODY[2] by slicing
// the stored message at the offsets of the structure summary.
func ExampleReadStructure() {
	const msg = "Subject: offsets\r\n" +
		"Content-Type: multipart/alternative; boundary=x\r\n" +
		"\r\n" +
		"--x\r\n" +
		"Content-Type: text/plain\r\n" +
		"\r\n" +
		"plain\r\n" +
		"--x\r\n" +
		"Content-Type: text/html\r\n" +
		"\r\n" +
		"<p>html</p>\r\n" +
		"--x--\r\n"
	s, err := message.ReadStructure(strings.NewReader(msg))
	if err != nil {
		log.Fatal(err)
	}
	p := s.Part(2)
	fmt.Printf("BODY[2.MIME] %q\n", msg[p.HeaderOffset:p.BodyOffset])
	fmt.Printf("BODY[2] %q (%d octets, %d lines)\n", msg[p.BodyOffset:p.End], p.Size, p.Lines)
	// Output:
	// BODY[2.MIME] "Content-Type: text/html\r\n\r\n"
	// BODY[2] "<p>html</p>" (11 octets, 0 lines)
}

// Write a multipart/alternative message part by part.
func ExampleWriter() {
	var h message.Header
	h.Set("From", "a@example.org")
	h.Set("Date", "Mon, 15 Jan 2024 09:30:00 +0000")
	h.Set("Message-ID", "<1@example.org>")
	h.SetContentType("multipart/alternative", message.Params{{Name: "boundary", Value: "b"}})
	var out strings.Builder
	w, err := message.NewWriter(&out, h)
	if err != nil {
		log.Fatal(err)
	}
	for _, mt := range []string{"text/plain", "text/html"} {
		var ph message.Header
		ph.SetContentType(mt, message.Params{{Name: "charset", Value: "utf-8"}})
		part, err := w.CreatePart(ph)
		if err != nil {
			log.Fatal(err)
		}
		io.WriteString(part, "Café\n")
	}
	w.Close()
	// Lines end in CRLF on the wire; LF here for display.
	fmt.Print(strings.ReplaceAll(out.String(), "\r\n", "\n"))
	// Output:
	// From: a@example.org
	// Date: Mon, 15 Jan 2024 09:30:00 +0000
	// Message-ID: <1@example.org>
	// Content-Type: multipart/alternative; boundary=b
	// MIME-Version: 1.0
	//
	// --b
	// Content-Type: text/plain; charset=utf-8
	// Content-Transfer-Encoding: quoted-printable
	//
	// Caf=C3=A9
	//
	// --b
	// Content-Type: text/html; charset=utf-8
	// Content-Transfer-Encoding: quoted-printable
	//
	// Caf=C3=A9
	//
	// --b--
}

func ExampleParseAddressList() {
	list, err := message.ParseAddressList(`"Joe Q. Public" <john.q.public@example.com>, =?EUC-KR?B?yKux5rW/?= <gildong@example.kr>, jdoe@example.org (John Doe)`)
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range list {
		fmt.Printf("%q %s\n", a.Name, a.Addr)
	}
	// Output:
	// "Joe Q. Public" john.q.public@example.com
	// "홍길동" gildong@example.kr
	// "John Doe" jdoe@example.org
}

func ExampleDecodeText() {
	s, _ := message.DecodeText("=?ISO-8859-1?Q?Andr=E9?= Pirard, =?ISO-2022-JP?B?GyRCJTMlcyVLJUEkTxsoQg==?=")
	fmt.Println(s)
	// Output:
	// André Pirard, コンニチは
}
