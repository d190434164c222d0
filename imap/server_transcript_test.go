package imap_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/internal/testcert"
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
	transcript.Server{Start: startTranscriptServer}.Run(t, "testdata/transcripts/server/*.txt")
}

// transcriptDate is the internal date of preloaded messages, so FETCH
// INTERNALDATE is stable.
var transcriptDate = time.Date(1996, 7, 17, 2, 44, 25, 0, time.FixedZone("", -7*3600))

func startTranscriptServer(t testing.TB, opts []transcript.Option) (*transcript.Target, error) {
	store := imapmem.New()
	store.AddUser("alice", "pass")
	srv := &imap.Server{Backend: loginOnly{store}, AllowInsecureAuth: true, LoginTimeout: 10 * time.Second}
	target := &transcript.Target{Check: func(name, arg string) error { return checkTranscript(store, name, arg) }}
	for _, o := range opts {
		f := strings.Fields(o.Arg)
		var err error
		switch {
		case o.IsField():
			err = transcript.SetField(srv, o)
		case o.Name == "tls":
			var pair *testcert.Pair
			if pair, err = testcert.New(); err == nil {
				srv.TLSConfig, target.TLS = pair.ServerConfig(), pair.ClientConfig()
			}
		case o.Name == "mailbox" && len(f) > 0:
			attr := imap.MailboxAttr("")
			if len(f) > 1 {
				attr = imap.MailboxAttr(f[1])
			}
			err = store.CreateMailbox("alice", f[0], attr)
		case o.Name == "message" && len(f) > 1:
			var data []byte
			if data, err = os.ReadFile(filepath.Join("testdata/server/messages", f[1])); err == nil {
				_, err = store.Append("alice", f[0], data, toFlags(f[2:]), transcriptDate)
			}
		default:
			return nil, o.Errorf("unknown option, or wrong arguments")
		}
		if err != nil {
			return nil, o.Errorf("%v", err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	target.Addr = l.Addr().String()
	return target, nil
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
