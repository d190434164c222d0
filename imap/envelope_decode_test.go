package imap_test

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/mailwire/mailwire/message"
)

// TestEnvelopeDecodedSubject_RFC2047_6: encoded words in the charsets and
// encodings mail uses are decoded; a malformed word stays as it was, and
// an unknown charset is reported with the rest decoded.
func TestEnvelopeDecodedSubject_RFC2047_6(t *testing.T) {
	for _, tc := range []struct {
		raw, want  string
		charsetErr bool
	}{
		{"plain words", "plain words", false},
		{"=?UTF-8?B?w6ljaGFudGlsbG9u?= report", "échantillon report", false},
		{"=?iso-8859-1?Q?caf=E9?= =?iso-8859-1?Q?_cr=E8me?=", "café crème", false},
		{"=?utf-8?q?a_b?=", "a b", false},
		{"=?utf-8?x?broken?=", "=?utf-8?x?broken?=", false},
		{"=?x-unknown?q?abc?= tail", "=?x-unknown?q?abc?= tail", true},
		{"", "", false},
	} {
		got, err := (&imap.Envelope{Subject: tc.raw}).DecodedSubject()
		var ce *message.CharsetError
		assert.Equal(t, tc.charsetErr, errors.As(err, &ce), "%q: %v", tc.raw, err)
		assert.Equal(t, tc.want, got, tc.raw)
	}
}

// TestEnvelopeParsedDate_RFC5322_3_3: the Date field in its current and
// obsolete forms; NIL is an error.
func TestEnvelopeParsedDate_RFC5322_3_3(t *testing.T) {
	pdt := time.FixedZone("", -7*3600)
	for _, tc := range []struct {
		raw  string
		want time.Time
		ok   bool
	}{
		{"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)", time.Date(1996, 7, 17, 2, 23, 25, 0, pdt), true},
		{"17 Jul 96 02:23 PDT", time.Date(1996, 7, 17, 2, 23, 0, 0, pdt), true}, // section 4.3
		{"", time.Time{}, false},
		{"not a date", time.Time{}, false},
	} {
		got, err := (&imap.Envelope{Date: tc.raw}).ParsedDate()
		require.Equal(t, tc.ok, err == nil, "%q: %v", tc.raw, err)
		if tc.ok {
			assert.True(t, tc.want.Equal(got), "%q: %v", tc.raw, got)
		}
	}
}

// TestDecodeAddresses_RFC3501_7_4_2: group markers are left out and their
// members kept; names are decoded; a name that does not decode is kept
// and reported.
func TestDecodeAddresses_RFC3501_7_4_2(t *testing.T) {
	list := []imap.Address{
		{Name: "=?UTF-8?Q?Ren=C3=A9?=", Mailbox: "rene", Host: "example.org"},
		{Mailbox: "team"}, // group start
		{Name: "Ann", Mailbox: "ann", Host: "example.org"},
		{Mailbox: "bob", Host: "example.org"},
		{}, // group end
		{Name: "=?x-unknown?q?Zed?=", Mailbox: "zed", Host: "example.net"},
	}
	got, err := imap.DecodeAddresses(list)
	var ce *message.CharsetError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []*message.Address{
		{Name: "René", Addr: "rene@example.org"},
		{Name: "Ann", Addr: "ann@example.org"},
		{Addr: "bob@example.org"},
		{Name: "=?x-unknown?q?Zed?=", Addr: "zed@example.net"},
	}, got)
	none, err := imap.DecodeAddresses(nil)
	assert.NoError(t, err)
	assert.Empty(t, none)
}

// TestEnvelopeDecoded_SharedCorpus: for every message of ../shared/corpus
// whose header the message package reads without error, the decoded
// ENVELOPE our server sends equals what the message package makes of the
// same header fields (RFC 3501 section 7.4.2), comments aside.
func TestEnvelopeDecoded_SharedCorpus(t *testing.T) {
	files, err := filepath.Glob("../../shared/corpus/*/*.eml")
	require.NoError(t, err)
	require.NotEmpty(t, files, "../shared/corpus sits beside the project")
	var opts []imaptest.Option
	var headers []message.Header
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		h, err := message.ReadHeader(bufio.NewReader(bytes.NewReader(data)))
		if err != nil {
			continue
		}
		headers = append(headers, h)
		opts = append(opts, imaptest.WithMessage("user", imap.Inbox, data))
	}
	srv := imaptest.NewServer(t, append(opts, imaptest.WithInsecureAuth())...)
	c := loginClient(t, srv, nil)
	ctx := testutil.Context(t)
	_, err = c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	msgs, err := c.Fetch(ctx, imap.SeqSetRange(1, 0), &imap.FetchOptions{Envelope: true}).Collect()
	require.NoError(t, err)
	require.Len(t, msgs, len(headers))
	compared := 0
	for i, m := range msgs {
		h := headers[i]
		want, werr := message.DecodeText(h.Get("Subject"))
		got, gerr := m.Envelope.DecodedSubject()
		if werr == nil && gerr == nil {
			assert.Equal(t, want, got, "Subject of message %d", i+1)
		}
		wantFrom, err := message.ParseAddressList(h.Get("From"))
		if err != nil || len(wantFrom) == 0 {
			continue
		}
		gotFrom, err := imap.DecodeAddresses(m.Envelope.From)
		if err != nil {
			continue
		}
		if !strings.Contains(h.Get("From"), "<") {
			// "user@host (Name)": addr-name is the display-name phrase
			// (RFC 3501 section 9), which a comment is not; the message
			// package falls back to the comment, ENVELOPE does not.
			for _, a := range wantFrom {
				a.Name = ""
			}
		}
		assert.Equal(t, wantFrom, gotFrom, "From of message %d: %q", i+1, h.Get("From"))
		compared++
	}
	assert.Greater(t, compared, len(files)/2, "most of the corpus is compared")
}
