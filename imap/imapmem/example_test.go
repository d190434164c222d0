package imapmem_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
)

// A store is filled by Deliver (from an SMTP backend, say) or Append (to
// preload a test) and served by an imap.Server with the store as its
// Backend. UIDs ascend per mailbox (RFC 3501 section 2.3.1.1).
func ExampleBackend() {
	store := imapmem.New()
	store.AddUser("alice", "secret")
	if err := store.CreateMailbox("alice", "Archive", imap.AttrArchive); err != nil {
		fmt.Println(err)
	}
	uid, _ := store.Deliver("alice", "INBOX", strings.NewReader("Subject: new\r\n\r\nhello\r\n"))
	fmt.Println("delivered as UID", uid)
	date := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	uid, _ = store.Append("alice", "Archive", []byte("Subject: old\r\n\r\nbye\r\n"), []imap.Flag{`\Seen`}, date)
	fmt.Println("appended as UID", uid)

	msgs, _ := store.Messages("alice", "Archive")
	fmt.Println(msgs[0].Flags, msgs[0].InternalDate.Format(time.DateOnly))
	// Output:
	// delivered as UID 1
	// appended as UID 1
	// [\Seen] 2026-11-27
}
