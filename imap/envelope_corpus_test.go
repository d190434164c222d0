package imap_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/mailwire/mailwire/message"
)

// sharedCorpus returns the messages of ../shared/corpus (its README.md
// says where they come from) by file name, with CRLF line ends. Without
// the folder the test is skipped, except under CI, where it fails.
func sharedCorpus(t *testing.T) (names []string, msgs [][]byte) {
	t.Helper()
	files, err := filepath.Glob("../../shared/corpus/*/*")
	require.NoError(t, err)
	if len(files) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("../shared/corpus is missing")
		}
		t.Skip("../shared/corpus is missing: the shared message corpus is not checked out")
	}
	sort.Strings(files)
	for _, f := range files {
		if filepath.Ext(f) == ".md" {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		names = append(names, f)
		msgs = append(msgs, bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n")))
	}
	return names, msgs
}

// TestEnvelopeAccessorsMatchMessage_RFC3501_7_4_2 serves the shared
// corpus, fetches every ENVELOPE and requires its decoded subject, date
// and addresses to equal what the message package reads from the
// message's own header. Where ENVELOPE cannot carry what the header
// has, the header side is normalised first: see envelopeView.
func TestEnvelopeAccessorsMatchMessage_RFC3501_7_4_2(t *testing.T) {
	names, msgs := sharedCorpus(t)
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithUser("user", "pass", msgs...))
	c := loginClient(t, srv, nil)
	ctx := testutil.Context(t)
	_, err := c.Select(ctx, imap.Inbox, &imap.SelectOptions{ReadOnly: true})
	require.NoError(t, err)
	got, err := c.Fetch(ctx, imap.SeqSetRange(1, 0), &imap.FetchOptions{Envelope: true}).Collect()
	require.NoError(t, err)
	require.Len(t, got, len(msgs))
	for i, m := range got {
		t.Run(filepath.Base(names[i]), func(t *testing.T) {
			h, err := message.ReadHeader(bufio.NewReader(bytes.NewReader(msgs[i])))
			require.NoError(t, err)
			assert.Equal(t, headerView(t, &h), envelopeView(t, m.Envelope))
		})
	}
}

// view is what a client reads of a message's header fields.
type view struct {
	Subject, Date                      string
	From, Sender, ReplyTo, To, Cc, Bcc []string
}

// envelopeView reads env through the accessors.
func envelopeView(t *testing.T, env *imap.Envelope) view {
	subject, _ := env.DecodedSubject()
	v := view{Subject: subject}
	if d, err := env.ParsedDate(); err == nil {
		v.Date = d.String()
	}
	lists := []*[]string{&v.From, &v.Sender, &v.ReplyTo, &v.To, &v.Cc, &v.Bcc}
	for i, get := range []func() ([]*message.Address, error){env.FromAddresses, env.SenderAddresses,
		env.ReplyToAddresses, env.ToAddresses, env.CcAddresses, env.BccAddresses} {
		list, _ := get()
		*lists[i] = addrStrings(list)
	}
	return v
}

// headerView reads h with the message package, normalised to what an
// envelope can say (RFC 3501 section 7.4.2): Sender and Reply-To default
// to From and the null path "<>" is not an address; a name taken from a
// comment ("a@b (Name)") is one in both; runs of white space in the
// subject are one space. Raw 8-bit subjects,
// which h.Text decodes by the Content-Type charset, are left as they are.
func headerView(t *testing.T, h *message.Header) view {
	subject, _ := h.Text("Subject")
	if !utf8.ValidString(h.Get("Subject")) {
		subject = h.Get("Subject")
	}
	// ENVELOPE makes runs of white space one space, as Dovecot does.
	subject = strings.Join(strings.FieldsFunc(subject, func(r rune) bool { return strings.ContainsRune(" \t\r\n", r) }), " ")
	v := view{Subject: subject}
	if d, err := h.Date(); err == nil {
		v.Date = d.String()
	}
	fields := []string{"From", "Sender", "Reply-To", "To", "Cc", "Bcc"}
	lists := []*[]string{&v.From, &v.Sender, &v.ReplyTo, &v.To, &v.Cc, &v.Bcc}
	for i, key := range fields {
		list, _ := h.AddressList(key)
		*lists[i] = addrStrings(list)
	}
	if v.Sender == nil {
		v.Sender = v.From
	}
	if v.ReplyTo == nil {
		v.ReplyTo = v.From
	}
	return v
}

// addrStrings writes the addresses of list that have a domain: a local
// part alone ("To: abel, bianchi") is an address in the envelope, as
// Dovecot sends it (with MISSING_DOMAIN), but no address to the message
// package, which follows RFC 5322 section 3.4.
func addrStrings(list []*message.Address) []string {
	var out []string
	for _, a := range list {
		if strings.Contains(a.Addr, "@") {
			out = append(out, a.String())
		}
	}
	return out
}
