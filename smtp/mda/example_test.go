package mda_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/mda"
)

// users maps local parts to user names; nobody may log in.
type users map[string]string

func (u users) Lookup(local string) (string, bool) {
	user, ok := u[strings.ToLower(local)]
	return user, ok
}

func (u users) Check(login, password string) (string, bool) { return "", false }

func (u users) ScramCredentials(login, mech string) (smtp.ScramCredentials, bool) {
	return smtp.ScramCredentials{}, false
}

// printer "stores" each copy by printing its header section, with the
// random id of the Received field masked.
type printer struct{}

var id = regexp.MustCompile(` id [0-9A-F]+`)

func (printer) Deliver(ctx context.Context, user string, r io.Reader) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() && sc.Text() != "" {
		fmt.Printf("%s: %q\n", user, id.ReplaceAllString(sc.Text(), " id ID"))
	}
	_, err := io.Copy(io.Discard, r)
	return err
}

// Example delivers a message to three addresses of two users: alice,
// reached twice (as alice and as postmaster), gets one copy.
func Example() {
	agent := &mda.Agent{
		Domain:    "example.org",
		Users:     users{"alice": "alice", "postmaster": "alice", "bob": "bob"},
		Mailboxes: printer{},
		Now:       func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) },
	}
	srv := &smtp.Server{Domain: "mx.example.org", Backend: agent}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	msg := "From: carol@example.net\r\nSubject: Hello\r\n\r\nHi!\r\n"
	err = smtp.SendMail(context.Background(), l.Addr().String(), nil, "carol@example.net",
		[]string{"alice@example.org", "bob@example.org", "postmaster@example.org"}, strings.NewReader(msg),
		&smtp.SendOptions{LocalName: "client.example.net"})
	fmt.Println("sent:", err == nil)
	// Output:
	// alice: "Return-Path: <carol@example.net>"
	// alice: "Received: from client.example.net ([127.0.0.1])"
	// alice: "\tby example.org (mailwire) with ESMTP id ID"
	// alice: "\tfor <alice@example.org>; Wed, 01 May 2024 12:00:00 +0000"
	// alice: "From: carol@example.net"
	// alice: "Subject: Hello"
	// bob: "Return-Path: <carol@example.net>"
	// bob: "Received: from client.example.net ([127.0.0.1])"
	// bob: "\tby example.org (mailwire) with ESMTP id ID"
	// bob: "\tfor <bob@example.org>; Wed, 01 May 2024 12:00:00 +0000"
	// bob: "From: carol@example.net"
	// bob: "Subject: Hello"
	// sent: true
}
