package imapmem

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nestedMessage returns n multiparts, each the only part of the one
// around it: past imap.DefaultStructureDepth, a poison message (issue 11).
func nestedMessage(n int) []byte {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("\r\ntext\r\n")
	return []byte(b.String())
}

// TestStructureParsedOnce_Issue11: a message over a parsing limit gets a
// truncated structure that is computed once and then served from the
// cache to every session and every view, copies included.
func TestStructureParsedOnce_Issue11(t *testing.T) {
	b := New()
	b.AddUser("alice", "pass")
	for _, n := range []int{1000, 2} {
		_, err := b.Append("alice", imap.Inbox, nestedMessage(n), nil, time.Now())
		require.NoError(t, err)
	}
	ctx := context.Background()
	u, err := b.Login(ctx, nil, "alice", "pass")
	require.NoError(t, err)
	require.NoError(t, u.CreateMailbox(ctx, "Copy", ""))
	mb, view, err := u.Open(ctx, imap.Inbox, false)
	require.NoError(t, err)
	_, _, err = mb.Copy(ctx, view.UIDs[:1], "Copy")
	require.NoError(t, err)

	seen := map[int]*message.Structure{}
	for round := 0; round < 3; round++ {
		msgs, err := mb.Messages(ctx, view.UIDs)
		require.NoError(t, err)
		for i, m := range msgs {
			st := m.(imap.StructureMessage).Structure()
			require.NotNil(t, st, "message %d", i+1)
			if round == 0 {
				seen[i] = st
				continue
			}
			assert.Same(t, seen[i], st, "message %d round %d", i+1, round)
		}
	}
	b.mu.Lock()
	inbox := b.users["alice"].mailboxes[imap.Inbox]
	copied := b.users["alice"].mailboxes["Copy"]
	assert.True(t, inbox.msgs[0].st.st.Truncated)
	assert.False(t, inbox.msgs[1].st.st.Truncated)
	assert.Equal(t, 1, inbox.msgs[0].st.parses)
	assert.Same(t, inbox.msgs[0].st, copied.msgs[0].st, "a copy shares the cached structure")
	b.mu.Unlock()
}
