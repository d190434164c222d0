package imapmaildir_test

import (
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/dovecottest"
	"github.com/mailwire/mailwire/internal/peertest"
	"github.com/mailwire/mailwire/message/maildir"
)

// giveToDovecot hands the Maildir to the user Dovecot's mail processes
// run as (dovecottest runs them as nobody; our test server writes as
// root).
func giveToDovecot(t *testing.T, dir string) {
	t.Helper()
	out, err := exec.Command("chown", "-R", "nobody:nogroup", dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
}

// TestDovecotSharesMaildir_RFC3501_2_3_1_1: our server and a live
// Dovecot 2.3 serve one Maildir at once. A message APPENDed through us
// has the same UID, UIDVALIDITY and keyword in Dovecot; one APPENDed
// through Dovecot reaches a session IDLE on our server (RFC 2177) as
// EXISTS, under the UID Dovecot's APPENDUID gave; a flag Dovecot stores
// is what our FETCH FLAGS answers. Skipped without Dovecot unless
// MAILWIRE_REQUIRE_PEERS is set.
func TestDovecotSharesMaildir_RFC3501_2_3_1_1(t *testing.T) {
	peertest.Need(t, "dovecot")
	dc := dovecottest.Start(t, dovecottest.Config{Protocols: []string{"imap"}})
	root := dc.Maildir(testUser)
	ctx := testContext(t)
	stores := &maildir.Stores{Path: func(string) string { return root }}
	ours := serveBackend(t, newBackend(stores), stores)

	c := login(t, ctx, ours, nil)
	mine, err := appendMessage(t, ctx, c, imap.Inbox, "from us", "$Label1")
	require.NoError(t, err)
	giveToDovecot(t, root)

	dv := login(t, ctx, dc.IMAP, nil)
	sel, err := dv.Select(ctx, imap.Inbox, nil)
	require.NoError(t, err)
	assert.Equal(t, mine.UIDValidity, sel.UIDValidity)
	got := fetchAll(t, ctx, dv, &imap.FetchOptions{UID: true, Flags: true})
	require.Len(t, got, 1)
	assert.Equal(t, mine.UID, got[0].UID)
	assert.ElementsMatch(t, []imap.Flag{"$Label1"}, noRecent(got[0].Flags))

	w := watch(t, ctx, ours)
	stop := w.idle(t, ctx)
	theirs, err := appendMessage(t, ctx, dv, imap.Inbox, "from Dovecot")
	require.NoError(t, err)
	assert.Equal(t, mine.UID+1, theirs.UID)
	assert.Equal(t, uint32(2), await(t, w.exists, "EXISTS"))
	_, err = dv.UIDStore(ctx, imap.SeqSetNum(theirs.UID), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Collect()
	require.NoError(t, err)
	await(t, w.fetches, "FETCH FLAGS")
	stop()
	got = fetchAll(t, ctx, w.c, &imap.FetchOptions{UID: true, Flags: true})
	assert.Equal(t, []uint32{mine.UID, theirs.UID}, uidsOf(got))
	assert.ElementsMatch(t, []imap.Flag{imap.FlagFlagged}, noRecent(got[1].Flags))
}
