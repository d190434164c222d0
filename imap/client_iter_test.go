package imap_test

import (
	"io"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/mailwire/mailwire/internal/testutil"
)

// TestFetchMessages_RFC3501_6_4_5 ranges over a FETCH response, breaks out
// after the first message, and uses the connection again: Close drains
// what the loop left and the next command is answered.
func TestFetchMessages_RFC3501_6_4_5(t *testing.T) {
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(),
		imaptest.WithMessage("user", imap.Inbox, readMessage(t, "simple.eml")),
		imaptest.WithMessage("user", imap.Inbox, readMessage(t, "multipart.eml")),
		imaptest.WithMessage("user", imap.Inbox, readMessage(t, "forward.eml")))
	ctx := testutil.Context(t)
	c := loginClient(t, srv, nil)
	_, err := c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	opts := &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}}

	var seqs []uint32
	var sizes []int64
	f := c.Fetch(ctx, imap.SeqSetRange(1, 0), opts)
	for m := range f.Messages() {
		seqs = append(seqs, m.Seq)
		for it := range m.Items() {
			if b, ok := it.(imap.FetchItemDataBodySection); ok {
				n, err := io.Copy(io.Discard, b.Literal)
				require.NoError(t, err)
				sizes = append(sizes, n)
			}
		}
	}
	require.NoError(t, f.Close())
	assert.Equal(t, []uint32{1, 2, 3}, seqs)
	assert.Len(t, sizes, 3)

	f = c.Fetch(ctx, imap.SeqSetRange(1, 0), opts)
	for m := range f.Messages() {
		require.Equal(t, uint32(1), m.Seq)
		break // the rest of the response, bodies included, is left unread
	}
	require.NoError(t, f.Close())
	st, err := c.Status(ctx, "INBOX", &imap.StatusOptions{NumMessages: true})
	require.NoError(t, err, "the connection is usable after an early break")
	assert.Equal(t, uint32(3), *st.NumMessages)
}

// TestSeqSetValues_RFC3501_9: the numbers of a set in its order, ranges
// written either way round; "*" and "$" yield nothing, and a loop may stop
// early in a range of four billion.
func TestSeqSetValues_RFC3501_9(t *testing.T) {
	for _, tc := range []struct {
		set  string
		want []uint32
	}{
		{"1:3,7", []uint32{1, 2, 3, 7}},
		{"5:3,1", []uint32{3, 4, 5, 1}},
		{"9", []uint32{9}},
		{"1:*", nil},
		{"$", nil},
	} {
		s, err := imap.ParseSeqSet(tc.set)
		require.NoError(t, err, tc.set)
		assert.Equal(t, tc.want, slices.Collect(s.Values()), tc.set)
	}
	var first []uint32
	for n := range imap.SeqSetRange(1, 4000000000).Values() {
		if len(first) == 3 {
			break
		}
		first = append(first, n)
	}
	assert.Equal(t, []uint32{1, 2, 3}, first)
}
