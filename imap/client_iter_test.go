package imap_test

import (
	"context"
	"fmt"
	"io"
	"iter"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/mailwire/mailwire/internal/testutil"
)

// iterServer serves n small messages with subjects "m1".."mN" and
// mailboxes A, B and C, and returns it with a client that has INBOX
// selected.
func iterServer(t *testing.T, n int) (*imaptest.Server, *imap.Client) {
	var msgs [][]byte
	for i := 1; i <= n; i++ {
		msgs = append(msgs, fmt.Appendf(nil, "Subject: m%d\r\nFrom: a@example.org\r\n\r\nbody %d\r\n", i, i))
	}
	opts := []imaptest.Option{imaptest.WithInsecureAuth(), imaptest.WithUser("user", "pass", msgs...)}
	for _, mb := range []string{"A", "B", "C"} {
		opts = append(opts, imaptest.WithMailbox("user", mb, ""))
	}
	srv := imaptest.NewServer(t, opts...)
	c := loginClient(t, srv, nil)
	_, err := c.Select(testutil.Context(t), imap.Inbox, nil)
	require.NoError(t, err)
	return srv, c
}

// onlyError ranges over seq, which must yield a single pair: a zero
// value and the command's failure.
func onlyError[T comparable](t *testing.T, seq iter.Seq2[T, error]) *imap.StatusResponse {
	t.Helper()
	var errs []error
	for v, err := range seq {
		assert.Zero(t, v)
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	return asStatus(t, errs[0])
}

// unavailable is the failure the tests make the server answer.
var unavailable = &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeUnavailable, Text: "try later"}

// assertUsable runs a command after a loop stopped early: the client must
// be past the old command's response, and is soon if it is not stuck.
func assertUsable(t *testing.T, c *imap.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(testutil.Context(t), 5*time.Second)
	defer cancel()
	data, err := c.Search(ctx, &imap.SearchCriteria{}, nil)
	require.NoError(t, err)
	assert.Equal(t, []uint32{1, 2, 3, 4, 5}, data.Nums())
}

// TestFetchAll_RFC3501_6_4_5 ranges over FETCH results with bodies
// streamed, whole and stopped early, items too.
func TestFetchAll_RFC3501_6_4_5(t *testing.T) {
	_, c := iterServer(t, 5)
	ctx := testutil.Context(t)
	opts := &imap.FetchOptions{Envelope: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}}

	var subjects []string
	for m, err := range c.Fetch(ctx, imap.SeqSetRange(1, 0), opts).All() {
		require.NoError(t, err)
		for item := range m.Items() {
			if env, ok := item.(imap.FetchItemDataEnvelope); ok {
				subjects = append(subjects, env.Envelope.Subject)
			}
		}
	}
	assert.Equal(t, []string{"m1", "m2", "m3", "m4", "m5"}, subjects)

	// Stop in the middle of the first message's body literal.
	f := c.Fetch(ctx, imap.SeqSetRange(1, 0), opts)
	n := 0
	for m, err := range f.All() {
		require.NoError(t, err)
		n++
		for item := range m.Items() {
			if body, ok := item.(imap.FetchItemDataBodySection); ok {
				_, err := io.ReadFull(body.Literal, make([]byte, 3))
				require.NoError(t, err)
				break
			}
		}
		break
	}
	assert.Equal(t, 1, n)
	assertUsable(t, c)
	require.NoError(t, f.Close(), "Close after All returns the result again")
}

// TestFetchAllError_RFC3501_6_4_5 yields the command's failure as the
// last pair.
func TestFetchAllError_RFC3501_6_4_5(t *testing.T) {
	_, c := iterServer(t, 5)
	ctx := testutil.Context(t)
	st := onlyError(t, c.Fetch(ctx, imap.SeqSetNum(9), &imap.FetchOptions{UID: true}).All())
	assert.Equal(t, imap.StatusBAD, st.Type, "no message 9")
	assertUsable(t, c)
}

// TestListSeq_RFC3501_6_3_8 ranges over LIST, whole and stopped early,
// and yields a failure as the last pair.
func TestListSeq_RFC3501_6_3_8(t *testing.T) {
	srv, c := iterServer(t, 5)
	ctx := testutil.Context(t)
	var names []string
	for d, err := range c.ListSeq(ctx, "", []string{"*"}, nil) {
		require.NoError(t, err)
		names = append(names, d.Mailbox)
	}
	assert.ElementsMatch(t, []string{"INBOX", "A", "B", "C"}, names)

	for _, err := range c.ListSeq(ctx, "", []string{"*"}, nil) {
		require.NoError(t, err)
		break
	}
	assertUsable(t, c)

	srv.FailCommand("LIST", unavailable)
	assert.Equal(t, imap.CodeUnavailable, onlyError(t, c.ListSeq(ctx, "", []string{"*"}, nil)).Code)
}

// TestSearchSeq_RFC3501_6_4_4 ranges over SEARCH and UID SEARCH results,
// whole and stopped early, and yields a failure as the last pair.
func TestSearchSeq_RFC3501_6_4_4(t *testing.T) {
	srv, c := iterServer(t, 5)
	ctx := testutil.Context(t)
	criteria := &imap.SearchCriteria{Not: []imap.SearchCriteria{{SeqNum: []imap.SeqSet{imap.SeqSetNum(3)}}}}
	var nums []uint32
	for n, err := range c.SearchSeq(ctx, criteria) {
		require.NoError(t, err)
		nums = append(nums, n)
	}
	assert.Equal(t, []uint32{1, 2, 4, 5}, nums)

	nums = nil
	for n, err := range c.UIDSearchSeq(ctx, criteria) {
		require.NoError(t, err)
		nums = append(nums, n)
		if len(nums) == 2 {
			break
		}
	}
	assert.Equal(t, []uint32{1, 2}, nums)
	assertUsable(t, c)

	srv.FailCommand("UID SEARCH", unavailable)
	assert.Equal(t, imap.CodeUnavailable, onlyError(t, c.UIDSearchSeq(ctx, criteria)).Code)
}
