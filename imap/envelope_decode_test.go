package imap

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/message"
)

// TestEnvelopeDecodedSubject_RFC2047_6 decodes subjects of several
// charsets in both encodings; malformed words stay as they are.
func TestEnvelopeDecodedSubject_RFC2047_6(t *testing.T) {
	tests := []struct {
		name, raw, want string
		wantErr         error
	}{
		{"NIL", "", "", nil},
		{"plain", "Hello world", "Hello world", nil},
		{"utf-8 Q", "=?utf-8?q?caf=C3=A9_cr=C3=A8me?=", "café crème", nil},
		{"utf-8 B", "=?UTF-8?B?w6l0w6k=?=", "été", nil},
		{"iso-8859-1 Q", "=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard", nil},
		{"iso-8859-1 B", "=?iso-8859-1?b?4Q==?=", "á", nil},
		{"adjacent words join (section 6.2)", "=?utf-8?q?a?= =?utf-8?q?b?=", "ab", nil},
		{"unknown encoding kept", "=?utf-8?x?abc?=", "=?utf-8?x?abc?=", nil},
		{"unterminated kept", "=?utf-8?q?abc", "=?utf-8?q?abc", nil},
		{"unknown charset kept", "x =?x-nope?q?a?=", "x =?x-nope?q?a?=", message.ErrUnknownCharset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := (&Envelope{Subject: tt.raw}).DecodedSubject()
			assert.Equal(t, tt.want, got)
			if tt.wantErr == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.wantErr)
			}
		})
	}
}

// TestEnvelopeParsedDate_RFC5322_3_3 parses current and obsolete (section
// 4.3) date forms; a NIL date is an error.
func TestEnvelopeParsedDate_RFC5322_3_3(t *testing.T) {
	tests := []struct {
		raw  string
		want time.Time
	}{
		{"Mon, 02 Jan 2006 15:04:05 -0700", time.Date(2006, 1, 2, 15, 4, 5, 0, time.FixedZone("", -7*3600))},
		{"2 Jan 06 15:04 EST", time.Date(2006, 1, 2, 15, 4, 0, 0, time.FixedZone("", -5*3600))},
		{"Mon, 2 Jan 2006 15:04:05 GMT (noon-ish)", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
		{"Fri, 21 Nov 97 09:55:06 -0600", time.Date(1997, 11, 21, 9, 55, 6, 0, time.FixedZone("", -6*3600))},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := (&Envelope{Date: tt.raw}).ParsedDate()
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(got), "got %v, want %v", got, tt.want)
		})
	}
	for _, raw := range []string{"", "not a date"} {
		got, err := (&Envelope{Date: raw}).ParsedDate()
		assert.ErrorIs(t, err, message.ErrInvalidDate, raw)
		assert.True(t, got.IsZero())
	}
}

// TestDecodeAddressGroups_RFC3501_7_4_2 converts address structures,
// group markers included, into the message package's addresses.
func TestDecodeAddressGroups_RFC3501_7_4_2(t *testing.T) {
	alice := Address{Mailbox: "alice", Host: "example.org"}
	tests := []struct {
		name    string
		list    []Address
		want    []message.Group
		wantErr error
	}{
		{"NIL", nil, nil, nil},
		{"mailbox", []Address{alice},
			[]message.Group{{Members: []*message.Address{{Addr: "alice@example.org"}}}}, nil},
		{"encoded name", []Address{{Name: "=?utf-8?q?Andr=C3=A9?= Pirard", Mailbox: "andre", Host: "example.be"}},
			[]message.Group{{Members: []*message.Address{{Name: "André Pirard", Addr: "andre@example.be"}}}}, nil},
		{"quoted local part", []Address{{Mailbox: `john "j" doe`, Host: "example.org"}},
			[]message.Group{{Members: []*message.Address{{Addr: `"john \"j\" doe"@example.org`}}}}, nil},
		{"dot-atom with specials", []Address{{Mailbox: "a.b+c", Host: "example.org"}},
			[]message.Group{{Members: []*message.Address{{Addr: "a.b+c@example.org"}}}}, nil},
		{"missing host (Dovecot)", []Address{{Mailbox: "root", Host: message.MissingDomain}},
			[]message.Group{{Members: []*message.Address{{Addr: "root"}}}}, nil},
		{"null path with a name", []Address{{Name: "MAILER DAEMON", Mailbox: message.MissingMailbox, Host: message.MissingDomain}},
			[]message.Group{{Members: []*message.Address{{Name: "MAILER DAEMON"}}}}, nil},
		{"missing host (c-client)", []Address{{Mailbox: "root", Host: ".MISSING-HOST-NAME."}},
			[]message.Group{{Members: []*message.Address{{Addr: "root"}}}}, nil},
		{"unparseable host kept", []Address{{Mailbox: "a", Host: "bad host>"}},
			[]message.Group{{Members: []*message.Address{{Addr: "a@bad host>"}}}}, nil},
		{"source route dropped", []Address{{ADL: "@relay.example", Mailbox: "alice", Host: "example.org"}},
			[]message.Group{{Members: []*message.Address{{Addr: "alice@example.org"}}}}, nil},
		{"group", []Address{{Mailbox: "=?utf-8?q?=C3=A9quipe?="}, alice, {Mailbox: "bob", Host: "example.org"}, {}, alice},
			[]message.Group{
				{Name: "équipe", Members: []*message.Address{{Addr: "alice@example.org"}, {Addr: "bob@example.org"}}},
				{Members: []*message.Address{{Addr: "alice@example.org"}}},
			}, nil},
		{"empty group", []Address{{Mailbox: "undisclosed-recipients"}, {}},
			[]message.Group{{Name: "undisclosed-recipients"}}, nil},
		{"unknown charset", []Address{{Name: "=?x-nope?q?A?=", Mailbox: "a", Host: "b"}},
			[]message.Group{{Members: []*message.Address{{Name: "=?x-nope?q?A?=", Addr: "a@b"}}}}, message.ErrUnknownCharset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeAddressGroups(tt.list)
			assert.Equal(t, tt.want, got)
			if tt.wantErr == nil {
				assert.NoError(t, err)
			} else {
				assert.True(t, errors.Is(err, tt.wantErr), "err %v", err)
			}
		})
	}
}

// TestEnvelopeAddresses_RFC3501_7_4_2 checks that each accessor reads its
// own field and that groups flatten to their members.
func TestEnvelopeAddresses_RFC3501_7_4_2(t *testing.T) {
	one := func(mailbox string) []Address { return []Address{{Mailbox: mailbox, Host: "example.org"}} }
	env := &Envelope{From: one("from"), Sender: one("sender"), ReplyTo: one("reply"), To: one("to"),
		Cc:  []Address{{Mailbox: "list"}, {Mailbox: "cc1", Host: "example.org"}, {Mailbox: "cc2", Host: "example.org"}, {}},
		Bcc: one("bcc")}
	tests := []struct {
		get  func() ([]*message.Address, error)
		want []string
	}{
		{env.FromAddresses, []string{"from@example.org"}},
		{env.SenderAddresses, []string{"sender@example.org"}},
		{env.ReplyToAddresses, []string{"reply@example.org"}},
		{env.ToAddresses, []string{"to@example.org"}},
		{env.CcAddresses, []string{"cc1@example.org", "cc2@example.org"}},
		{env.BccAddresses, []string{"bcc@example.org"}},
	}
	for _, tt := range tests {
		list, err := tt.get()
		require.NoError(t, err)
		var got []string
		for _, a := range list {
			got = append(got, a.Addr)
		}
		assert.Equal(t, tt.want, got)
	}
}
