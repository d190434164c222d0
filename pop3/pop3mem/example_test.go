package pop3mem_test

import (
	"fmt"

	"github.com/mailwire/mailwire/pop3/pop3mem"
)

// A store is filled by Deliver (from an SMTP backend, say) and served by a
// pop3.Server with the store as its Backend. Unique ids are assigned once
// and never reused (RFC 1939 section 7, UIDL).
func ExampleStore() {
	var store pop3mem.Store
	store.AddUser("alice", "secret")
	for _, body := range []string{"one", "two"} {
		if _, err := store.Deliver("alice", []byte("Subject: "+body+"\r\n\r\n"+body+"\r\n")); err != nil {
			fmt.Println(err)
		}
	}
	msgs := store.Messages("alice")
	fmt.Println(len(msgs), "messages;", len(store.UIDs("alice")), "unique ids")
	fmt.Printf("%q\n", msgs[1])
	_, err := store.Deliver("bob", []byte("x\r\n"))
	fmt.Println(err)
	// Output:
	// 2 messages; 2 unique ids
	// "Subject: two\r\n\r\ntwo\r\n"
	// -ERR [AUTH] No such user
}
