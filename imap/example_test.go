package imap_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/mailwire/mailwire/imap"
)

// fakeServer answers one client over net.Pipe with canned responses, so
// that the examples run without a network.
func fakeServer(responses map[string]string) net.Conn {
	client, server := net.Pipe()
	go func() {
		defer server.Close()
		io.WriteString(server, "* OK [CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS] ready\r\n")
		br := bufio.NewReader(server)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			tag, cmd, _ := strings.Cut(strings.TrimSpace(line), " ")
			verb, _, _ := strings.Cut(cmd, " ")
			io.WriteString(server, strings.ReplaceAll(responses[verb], "$TAG", tag))
			if verb == "LOGOUT" {
				return
			}
		}
	}()
	return client
}

func ExampleClient() {
	conn := fakeServer(map[string]string{
		"LOGIN":  "$TAG OK logged in\r\n",
		"SELECT": "* 2 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n$TAG OK [READ-WRITE] done\r\n",
		"FETCH": "* 1 FETCH (UID 41 ENVELOPE (NIL \"Hello\" NIL NIL NIL NIL NIL NIL NIL NIL) BODY[] {7}\r\nHello\r\n)\r\n" +
			"* 2 FETCH (UID 42 ENVELOPE (NIL \"World\" NIL NIL NIL NIL NIL NIL NIL NIL) BODY[] {7}\r\nWorld\r\n)\r\n$TAG OK done\r\n",
		"LOGOUT": "* BYE bye\r\n$TAG OK done\r\n",
	})
	ctx := context.Background()
	c, err := imap.NewClient(ctx, conn, nil) // or imap.Dial / imap.DialTLS / imap.DialStartTLS
	if err != nil {
		panic(err)
	}
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		panic(err)
	}
	mb, err := c.Select(ctx, imap.Inbox, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("messages:", mb.NumMessages, "uidvalidity:", mb.UIDValidity)

	// Bodies stream: each arrives as an io.Reader, never whole in memory.
	f := c.Fetch(ctx, imap.SeqSetRange(1, 0), &imap.FetchOptions{
		UID: true, Envelope: true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	})
	for m := f.Next(); m != nil; m = f.Next() {
		for item := m.Next(); item != nil; item = m.Next() {
			switch it := item.(type) {
			case imap.FetchItemDataUID:
				fmt.Print("uid ", it.UID, ": ")
			case imap.FetchItemDataEnvelope:
				fmt.Print(it.Envelope.Subject, " ")
			case imap.FetchItemDataBodySection:
				n, _ := io.Copy(io.Discard, it.Literal)
				fmt.Println(n, "bytes")
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
	// messages: 2 uidvalidity: 7
	// uid 41: Hello 7 bytes
	// uid 42: World 7 bytes
}

func ExampleStatusResponse() {
	conn := fakeServer(map[string]string{
		"LOGIN":  "$TAG OK logged in\r\n",
		"SELECT": "$TAG OK [READ-WRITE] selected\r\n",
		"COPY":   "$TAG NO [TRYCREATE] no such mailbox\r\n",
	})
	ctx := context.Background()
	c, err := imap.NewClient(ctx, conn, nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	_ = c.Login(ctx, "alice", "secret")
	_, _ = c.Select(ctx, "INBOX", nil)
	_, err = c.Copy(ctx, imap.SeqSetNum(1), "Archive")
	var st *imap.StatusResponse
	if errors.As(err, &st) && st.Code == imap.CodeTryCreate {
		fmt.Println("create the mailbox first:", st.Text)
	}
	// Output:
	// create the mailbox first: no such mailbox
}

func ExampleParseSeqSet() {
	set, err := imap.ParseSeqSet("1:3,7,10:*")
	if err != nil {
		panic(err)
	}
	fmt.Println(set.Contains(2, 12), set.Contains(5, 12), set.Contains(11, 12))
	set.AddNum(8)
	fmt.Println(set)
	// Output:
	// true false true
	// 1:3,7,10:*,8
}

// The envelope keeps the header values as sent; its methods decode them
// as the message package decodes the header; white space between two
// encoded words is dropped (RFC 2047 section 6.2).
func ExampleEnvelope() {
	env := &imap.Envelope{
		Date:    "Fri, 21 Nov 97 09:55:06 -0600",
		Subject: "=?ISO-8859-1?Q?Caf=E9?= =?UTF-8?Q?_=C3=A0_la_cr=C3=A8me?=",
		From:    []imap.Address{{Name: "=?UTF-8?Q?Andr=C3=A9_Pirard?=", Mailbox: "andre", Host: "example.be"}},
		To: []imap.Address{
			{Mailbox: "team"}, // a group "team: ...;" starts
			{Mailbox: "alice", Host: "example.org"},
			{Mailbox: "bob smith", Host: "example.org"},
			{}, // and ends
		},
	}
	subject, _ := env.DecodedSubject()
	date, _ := env.ParsedDate()
	from, _ := env.FromAddresses()
	fmt.Println(subject)
	fmt.Println(date.UTC())
	fmt.Println(from[0].Name, "/", from[0].Addr)
	groups, _ := imap.DecodeAddressGroups(env.To)
	for _, g := range groups {
		fmt.Print(g.Name, ":")
		for _, a := range g.Members {
			fmt.Print(" ", a.Addr)
		}
		fmt.Println()
	}
	// Output:
	// Café à la crème
	// 1997-11-21 15:55:06 +0000 UTC
	// André Pirard / andre@example.be
	// team: alice@example.org "bob smith"@example.org
}

func ExampleFetchCommand_All() {
	conn := fakeServer(map[string]string{
		"LOGIN":  "$TAG OK logged in\r\n",
		"SELECT": "* 3 EXISTS\r\n$TAG OK [READ-WRITE] selected\r\n",
		"FETCH": "* 1 FETCH (ENVELOPE (NIL \"=?utf-8?q?caf=C3=A9?=\" ((\"Ann\" NIL \"ann\" \"example.org\")) NIL NIL NIL NIL NIL NIL NIL))\r\n" +
			"* 2 FETCH (ENVELOPE (NIL \"plain\" ((NIL NIL \"bob\" \"example.org\")) NIL NIL NIL NIL NIL NIL NIL))\r\n" +
			"* 3 FETCH (ENVELOPE (NIL \"never read\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n$TAG OK done\r\n",
		"NOOP": "$TAG OK nothing new\r\n",
	})
	ctx := context.Background()
	c, err := imap.NewClient(ctx, conn, nil)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	_ = c.Login(ctx, "alice", "secret")
	_, _ = c.Select(ctx, imap.Inbox, nil)

	for m, err := range c.Fetch(ctx, imap.SeqSetRange(1, 0), &imap.FetchOptions{Envelope: true}).All() {
		if err != nil {
			panic(err)
		}
		for item := range m.Items() {
			if it, ok := item.(imap.FetchItemDataEnvelope); ok {
				subject, _ := it.Envelope.DecodedSubject()
				from, _ := it.Envelope.FromAddresses()
				fmt.Println(m.Seq, subject, from[0].String())
			}
		}
		if m.Seq == 2 {
			break // the rest of the response is skipped
		}
	}
	fmt.Println(c.Noop(ctx))
	// Output:
	// 1 café Ann <ann@example.org>
	// 2 plain <bob@example.org>
	// <nil>
}
