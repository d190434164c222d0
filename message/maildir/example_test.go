package maildir_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mailwire/mailwire/message/maildir"
)

// Deliver a message into a new Maildir, give it a UID in the folder's
// dovecot-uidlist under its dotlock, then find it again by scanning.
func Example() {
	dir, err := os.MkdirTemp("", "maildir-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	inbox := filepath.Join(dir, "Maildir")
	if err := maildir.Create(inbox); err != nil {
		panic(err)
	}

	msg := "From: alice@example.org\r\nSubject: hello\r\n\r\nHi Bob.\r\n"
	name, err := maildir.Write(inbox, strings.NewReader(msg), "S", time.Now())
	if err != nil {
		panic(err)
	}
	fmt.Println("flags:", name.Flags, "size on disk:", name.Field('S'), "wire size:", name.Field('W'))

	list, err := maildir.UpdateUIDList(context.Background(), inbox, 1234, func(l *maildir.UIDList) error {
		fmt.Println("uid:", l.Add(name.Base))
		return nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("uidvalidity:", list.Validity, "next uid:", list.Next)

	found, err := maildir.Scan(inbox)
	if err != nil {
		panic(err)
	}
	fmt.Println("found:", len(found), found[0].Base == name.Base)
	// Output:
	// flags: S size on disk: 48 wire size: 52
	// uid: 1
	// uidvalidity: 1234 next uid: 2
	// found: 1 true
}
