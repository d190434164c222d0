package imapmaildir_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message/maildir"
)

// The findings of issue 13 on the IMAP side, each a test the old store
// (examples/internal/mailstore) failed.

// listed returns LIST "" "*" (with opts) as mailbox name -> attributes.
func listed(t *testing.T, ctx context.Context, c *imap.Client, opts *imap.ListOptions) map[string][]imap.MailboxAttr {
	t.Helper()
	list, err := c.List(ctx, "", []string{"*"}, opts)
	require.NoError(t, err)
	out := map[string][]imap.MailboxAttr{}
	for _, l := range list {
		out[l.Mailbox] = l.Attrs
	}
	return out
}

// TestDotInName_RFC3501_2_3_1_1_Issue13: "a/b" is the folder ".a.b";
// the name "a.b", which the old store mapped to the same directory and
// numbered apart (APPENDUID 1, 2, 2, 3, then renumbered at SELECT), is
// refused NO [CANNOT] as Dovecot refuses it, and the UIDs of "a/b"
// ascend strictly and stay what APPEND said, under one UIDVALIDITY.
func TestDotInName_RFC3501_2_3_1_1_Issue13(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t)
	c := login(t, ctx, serve(t, dir), nil)
	require.NoError(t, c.Create(ctx, "a/b"))
	assert.DirExists(t, filepath.Join(inboxRoot(dir), ".a.b"))

	var uids []uint32
	var validity uint32
	for i := range 6 {
		if i%2 == 1 {
			_, err := appendMessage(t, ctx, c, "a.b", "dotted")
			assert.Equal(t, imap.CodeCannot, statusCode(t, err), "APPEND %d to a.b", i)
			continue
		}
		data, err := appendMessage(t, ctx, c, "a/b", "nested")
		require.NoError(t, err)
		uids = append(uids, data.UID)
		validity = data.UIDValidity
	}
	assert.Equal(t, []uint32{1, 2, 3}, uids)
	assert.Equal(t, imap.CodeCannot, statusCode(t, c.Create(ctx, "x.y")))
	for range 2 { // SELECT twice: nothing is renumbered
		sel, err := c.Select(ctx, "a/b", nil)
		require.NoError(t, err)
		assert.Equal(t, validity, sel.UIDValidity)
		assert.Equal(t, uids, uidsOf(fetchAll(t, ctx, c, &imap.FetchOptions{UID: true})))
		require.NoError(t, c.Unselect(ctx))
	}
}

// TestSubscribeSpace_RFC3501_6_3_6_Issue13: a subscribed name with a
// space is listed by LSUB and by LIST (SUBSCRIBED) (RFC 5258), also by
// another server process; the old store split its file on white space.
func TestSubscribeSpace_RFC3501_6_3_6_Issue13(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t)
	c := login(t, ctx, serve(t, dir), nil)
	require.NoError(t, c.Create(ctx, "a b"))
	require.NoError(t, c.Subscribe(ctx, "a b"))
	for _, c := range []*imap.Client{c, login(t, ctx, serve(t, dir), nil)} {
		lsub, err := c.Lsub(ctx, "", "*")
		require.NoError(t, err)
		var names []string
		for _, l := range lsub {
			names = append(names, l.Mailbox)
		}
		assert.Equal(t, []string{"a b"}, names)
		subscribed := listed(t, ctx, c, &imap.ListOptions{SelectSubscribed: true})
		require.Contains(t, subscribed, "a b")
		assert.Contains(t, subscribed["a b"], imap.AttrSubscribed)
		assert.NotContains(t, subscribed, imap.Inbox)
	}
}

// TestLongName_RFC5530_LIMIT_Issue13: a name longer than a directory
// entry holds answers NO [LIMIT], never [SERVERBUG] (the old store's
// answer), for CREATE, RENAME and APPEND alike; one of
// maildir.MaxNameLength bytes is created.
func TestLongName_RFC5530_LIMIT_Issue13(t *testing.T) {
	ctx := testContext(t)
	c := login(t, ctx, serve(t, t.TempDir()), nil)
	long := strings.Repeat("n", 255)
	assert.Equal(t, imap.CodeLimit, statusCode(t, c.Create(ctx, long)))
	assert.Equal(t, imap.CodeLimit, statusCode(t, c.Create(ctx, "top/"+strings.Repeat("n", 251))), "nested, 255 bytes")
	require.NoError(t, c.Create(ctx, strings.Repeat("m", maildir.MaxNameLength)))
	require.NoError(t, c.Create(ctx, "short"))
	assert.Equal(t, imap.CodeLimit, statusCode(t, c.Rename(ctx, "short", long)))
	_, err := appendMessage(t, ctx, c, long, "long")
	code := statusCode(t, err)
	assert.Equal(t, imap.CodeLimit, code, "APPEND: the name can never be created, so not [TRYCREATE]")
}

// TestSpecialUse_RFC6154_3_Issue13: CREATE Sent (USE (\Sent)) keeps the
// attribute (the old store dropped it): LIST shows it, in this process
// and in another one, and LIST (SPECIAL-USE) selects it.
func TestSpecialUse_RFC6154_3_Issue13(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t)
	c := login(t, ctx, serve(t, dir), nil)
	require.NoError(t, c.Create(ctx, "Sent", imap.AttrSent))
	require.NoError(t, c.Create(ctx, "Plain"))
	for _, c := range []*imap.Client{c, login(t, ctx, serve(t, dir), nil)} {
		all := listed(t, ctx, c, nil)
		assert.Contains(t, all["Sent"], imap.AttrSent)
		assert.NotContains(t, all["Plain"], imap.AttrSent)
		special := listed(t, ctx, c, &imap.ListOptions{SelectSpecialUse: true})
		assert.Contains(t, special, "Sent")
		assert.NotContains(t, special, "Plain")
	}
}

// TestUTF8Names_RFC3501_5_1_3_Issue13: a folder the Store creates as
// "Entwürfe2" (as Dovecot does, directory ".Entw&APw-rfe2") lists as
// "Entwürfe2" over our UTF-8 API with '/' between levels, not as the
// old store's "Entw&-APw-rfe2"; one created over IMAP is stored the same
// way.
func TestUTF8Names_RFC3501_5_1_3_Issue13(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t)
	other, err := maildir.OpenStore(inboxRoot(dir), nil)
	require.NoError(t, err)
	require.NoError(t, other.CreateFolder(ctx, "Entwürfe2", ""))
	require.NoError(t, other.CreateFolder(ctx, "Entwürfe2.Alt", ""))
	require.NoError(t, other.Close())
	assert.DirExists(t, filepath.Join(inboxRoot(dir), ".Entw&APw-rfe2"))

	c := login(t, ctx, serve(t, dir), nil)
	require.NoError(t, c.Create(ctx, "Brouillons/Été"))
	assert.DirExists(t, filepath.Join(inboxRoot(dir), ".Brouillons.&AMk-t&AOk-"))
	all := listed(t, ctx, c, nil)
	for _, name := range []string{"Entwürfe2", "Entwürfe2/Alt", "Brouillons/Été"} {
		assert.Contains(t, all, name)
	}
	assert.Contains(t, all["Brouillons"], imap.AttrNoSelect, "a parent that is only a prefix")
	_, err = c.Select(ctx, "Entwürfe2/Alt", nil)
	require.NoError(t, err)
}

// TestKeywordsSurviveRestart_RFC3501_2_3_2_Issue13: keywords ($Label1,
// Junk) set by APPEND and STORE are in dovecot-keywords and the file
// names, so new Stores on the same directory (a restarted server) see
// them, in FETCH FLAGS and in the FLAGS of SELECT.
func TestKeywordsSurviveRestart_RFC3501_2_3_2_Issue13(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t)
	c := login(t, ctx, serve(t, dir), nil)
	_, err := appendMessage(t, ctx, c, imap.Inbox, "one", "$Label1", imap.FlagSeen)
	require.NoError(t, err)
	_, err = appendMessage(t, ctx, c, imap.Inbox, "two")
	require.NoError(t, err)
	_, err = c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	_, err = c.UIDStore(ctx, imap.SeqSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{"Junk"}}, nil).Collect()
	require.NoError(t, err)
	require.NoError(t, c.Logout(ctx))
	assert.FileExists(t, filepath.Join(inboxRoot(dir), maildir.KeywordsFile))

	c = login(t, ctx, serve(t, dir), nil)
	sel, err := c.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	assert.Subset(t, sel.Flags, []imap.Flag{"$Label1", "Junk"})
	msgs := fetchAll(t, ctx, c, &imap.FetchOptions{UID: true, Flags: true})
	require.Len(t, msgs, 2)
	assert.ElementsMatch(t, []imap.Flag{"$Label1", imap.FlagSeen}, noRecent(msgs[0].Flags))
	assert.ElementsMatch(t, []imap.Flag{"Junk"}, noRecent(msgs[1].Flags))
}

// folderFiles lists a folder's message files as "new/NAME" or
// "cur/NAME".
func folderFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, sub := range []string{"new", "cur"} {
		des, err := os.ReadDir(filepath.Join(dir, sub))
		require.NoError(t, err)
		for _, de := range des {
			out = append(out, sub+"/"+de.Name())
		}
	}
	slices.Sort(out)
	return out
}

// TestSubscriptionOutlivesMailbox_RFC3501_6_3_9: a subscription stays
// when its mailbox is deleted, and a name may be subscribed before it
// exists (as Dovecot allows); LSUB lists both, \Noselect.
func TestSubscriptionOutlivesMailbox_RFC3501_6_3_9(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t)
	c := login(t, ctx, serve(t, dir), nil)
	require.NoError(t, c.Create(ctx, "gone soon"))
	require.NoError(t, c.Subscribe(ctx, "gone soon"))
	require.NoError(t, c.Subscribe(ctx, "not yet"))
	require.NoError(t, c.Delete(ctx, "gone soon"))
	lsub, err := c.Lsub(ctx, "", "*")
	require.NoError(t, err)
	got := map[string][]imap.MailboxAttr{}
	for _, l := range lsub {
		got[l.Mailbox] = l.Attrs
	}
	require.Len(t, got, 2)
	assert.Contains(t, got["gone soon"], imap.AttrNoSelect)
	assert.Contains(t, got["not yet"], imap.AttrNoSelect)
	require.NoError(t, c.Unsubscribe(ctx, "gone soon"))
	lsub, err = c.Lsub(ctx, "", "*")
	require.NoError(t, err)
	require.Len(t, lsub, 1)
	assert.Equal(t, "not yet", lsub[0].Mailbox)
}
