package imap_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/mailwire/mailwire/internal/transcript"
)

// TestServerTranscripts plays testdata/transcripts/server/*.txt, exchanges
// like those of RFC 3501, in the format internal/transcript documents.
// Every file starts with user alice (password "pass") and an empty INBOX.
// Options that start with a capital letter set the Server field of that
// name; the others:
//
//	@ tls                            STARTTLS offered (RFC 3501 6.2.1)
//	@ mailbox Trash \Trash           create a mailbox for alice
//	@ message INBOX simple.eml \Seen store testdata/server/messages/simple.eml
//
// Checks:
//
//	= flags INBOX 1 \Seen \Flagged   alice's message 1 has exactly these flags
//	= count INBOX 2                  alice's mailbox holds 2 messages
func TestServerTranscripts(t *testing.T) {
	servertest.Transcripts(t, startTranscriptServer)
}

// transcriptDate is the internal date of preloaded messages, so FETCH
// INTERNALDATE is stable.
var transcriptDate = time.Date(1996, 7, 17, 2, 44, 25, 0, time.FixedZone("", -7*3600))

// startTranscriptServer makes the server of one transcript: alice's
// store, with the options "@ mailbox" and "@ message" (storeOption).
func startTranscriptServer(testing.TB) (servertest.Servable, *transcript.Target, func(transcript.Option) error) {
	store := imapmem.New()
	store.AddUser("alice", "pass")
	srv := &imap.Server{Backend: loginOnly{store}, AllowInsecureAuth: true, LoginTimeout: 10 * time.Second}
	check := func(name, arg string) error { return checkTranscript(store, name, arg) }
	return srv, &transcript.Target{Check: check}, func(o transcript.Option) error {
		if err := storeOption(store, o); err != nil {
			return o.Errorf("%v", err)
		}
		return nil
	}
}

// storeOption applies an "@ mailbox" or "@ message" option to store.
func storeOption(store *imapmem.Backend, o transcript.Option) error {
	f := strings.Fields(o.Arg)
	switch {
	case o.Name == "mailbox" && len(f) > 0:
		attr := imap.MailboxAttr("")
		if len(f) > 1 {
			attr = imap.MailboxAttr(f[1])
		}
		return store.CreateMailbox("alice", f[0], attr)
	case o.Name == "message" && len(f) > 1:
		data, err := os.ReadFile(filepath.Join("testdata/server/messages", f[1]))
		if err != nil {
			return err
		}
		_, err = store.Append("alice", f[0], data, toFlags(f[2:]), transcriptDate)
		return err
	}
	return errors.New("unknown option, or wrong arguments")
}

// loginOnly hides the store's SCRAM (imap.ScramBackend): the transcripts
// show what a Backend with only Login offers, PLAIN and LOGIN, as before
// the SASL backends (server_sasl_test.go covers those).
type loginOnly struct{ imap.Backend }

func toFlags(words []string) []imap.Flag {
	flags := []imap.Flag{}
	for _, w := range words {
		flags = append(flags, imap.Flag(w))
	}
	return flags
}

// checkTranscript answers a transcript's "=" line about alice's mailboxes.
func checkTranscript(store *imapmem.Backend, name, arg string) error {
	f := strings.Fields(arg)
	if len(f) < 2 {
		return fmt.Errorf("want %s MAILBOX N", name)
	}
	msgs, err := store.Messages("alice", f[0])
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(f[1])
	switch {
	case err != nil:
		return err
	case name == "count" && len(msgs) != n:
		return fmt.Errorf("%s holds %d messages", f[0], len(msgs))
	case name == "count":
		return nil
	case name != "flags":
		return fmt.Errorf("unknown check %q", name)
	case n < 1 || n > len(msgs):
		return fmt.Errorf("%s has no message %d", f[0], n)
	}
	want, got := toFlags(f[2:]), slices.Clone(msgs[n-1].Flags)
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		return fmt.Errorf("message %d has flags %v", n, got)
	}
	return nil
}
