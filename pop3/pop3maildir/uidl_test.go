package pop3maildir_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/message/maildir"
	"github.com/mailwire/mailwire/pop3"
)

// TestUIDL_DovecotRecord_RFC1939_7: a message whose dovecot-uidlist
// record has a P field (the UIDL Dovecot gave it, from a migration or
// another pop3_uidl_format) lists with that UIDL; the others with
// Dovecot's default "%08Xu%08Xv", so Dovecot and mailwire agree on both.
func TestUIDL_DovecotRecord_RFC1939_7(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	mdir := filepath.Join(dir, "alice", "Maildir")
	require.NoError(t, maildir.Create(mdir))
	var bases []string
	for _, m := range lfMessages[:2] {
		name, err := maildir.Write(mdir, strings.NewReader(m), "", time.Time{})
		require.NoError(t, err)
		bases = append(bases, name.Base)
	}
	const validity = 1700000000
	_, err := maildir.UpdateUIDList(ctx, mdir, validity, func(l *maildir.UIDList) error {
		l.Add(bases[0], "Pmigrated-uidl-1")
		l.Add(bases[1])
		return nil
	})
	require.NoError(t, err)

	addr := serve(t, newStores(t, dir))
	c := mustLogin(t, addr, "alice", "secret")
	uidl, err := c.Uidl(ctx)
	require.NoError(t, err)
	require.Equal(t, []pop3.UIDItem{
		{Number: 1, UID: "migrated-uidl-1"},
		{Number: 2, UID: fmt.Sprintf("%08x%08x", 2, validity)},
	}, uidl)
	require.Equal(t, wireMessages[0], retr(t, c, 1))
	require.NoError(t, c.Quit(ctx))
}
