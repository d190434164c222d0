package imapmaildir_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
)

// TestKeywordsFull_RFC3501_7_1: a Maildir folder holds 26 keywords (the
// info letters a to z of dovecot-keywords). PERMANENTFLAGS has \* while
// one is free; the 27th keyword answers NO [LIMIT] (RFC 5530) and
// changes nothing, and once all 26 are in use SELECT's PERMANENTFLAGS
// lists them without \*, so a client knows it cannot create more.
func TestKeywordsFull_RFC3501_7_1(t *testing.T) {
	ctx := testContext(t)
	c := login(t, ctx, serve(t, t.TempDir()), nil)
	_, err := appendMessage(t, ctx, c, imap.Inbox, "tagged")
	require.NoError(t, err)
	sel, err := c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	assert.Contains(t, sel.PermanentFlags, imap.FlagWildcard)

	var keywords []imap.Flag
	for i := range 26 {
		keywords = append(keywords, imap.Flag(fmt.Sprintf("kw%02d", i)))
	}
	_, err = c.UIDStore(ctx, imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: keywords}, nil).Collect()
	require.NoError(t, err)
	_, err = c.UIDStore(ctx, imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{"one-too-many"}}, nil).Collect()
	assert.Equal(t, imap.CodeLimit, statusCode(t, err))

	msgs := fetchAll(t, ctx, c, &imap.FetchOptions{UID: true, Flags: true})
	require.Len(t, msgs, 1)
	assert.ElementsMatch(t, keywords, noRecent(msgs[0].Flags))
	require.NoError(t, c.Unselect(ctx))
	sel, err = c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	assert.NotContains(t, sel.PermanentFlags, imap.FlagWildcard)
	assert.Subset(t, sel.PermanentFlags, keywords)
	assert.False(t, slices.Contains(sel.Flags, "one-too-many"))
}
