package imap_test

import (
	"fmt"

	"github.com/mailwire/mailwire/imap"
)

// An ENVELOPE comes as the server sent it; the methods decode it.
func ExampleEnvelope_DecodedSubject() {
	env := &imap.Envelope{
		Date:    "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)",
		Subject: "=?UTF-8?Q?R=C3=A9union?= de lundi",
		From:    []imap.Address{{Name: "=?ISO-8859-1?Q?Andr=E9?=", Mailbox: "andre", Host: "example.org"}},
	}
	subject, _ := env.DecodedSubject()
	date, _ := env.ParsedDate()
	from, _ := imap.DecodeAddresses(env.From)
	fmt.Println(subject)
	fmt.Println(date.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Printf("%s <%s>\n", from[0].Name, from[0].Addr)
	// Output:
	// Réunion de lundi
	// 1996-07-17 09:23 UTC
	// André <andre@example.org>
}
