package imap

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRecentClaims_RFC3501_2_3_2 drives the claims one step at a time: a
// message is \Recent in the first session to hear of it, a read-only
// session sees without taking, and each user, mailbox and UIDVALIDITY
// keeps its own claims.
func TestRecentClaims_RFC3501_2_3_2(t *testing.T) {
	inbox := recentKey{"alice", "INBOX", 1}
	type step struct {
		key   recentKey
		open  []uint32 // open with these UIDs, or
		uid   uint32   // hear of this new message
		claim bool     // read-write
		want  []uint32 // recent UIDs (for uid: [uid] or nil)
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"first SELECT takes all", []step{
			{key: inbox, open: []uint32{1, 2, 3}, claim: true, want: []uint32{1, 2, 3}},
			{key: inbox, open: []uint32{1, 2, 3}, claim: true, want: []uint32{}},
		}},
		{"EXAMINE sees without taking (6.3.2)", []step{
			{key: inbox, open: []uint32{1, 2}, want: []uint32{1, 2}},
			{key: inbox, open: []uint32{1, 2}, claim: true, want: []uint32{1, 2}},
			{key: inbox, open: []uint32{1, 2}, want: []uint32{}},
		}},
		{"new message to the first notified", []step{
			{key: inbox, open: []uint32{1}, claim: true, want: []uint32{1}},
			{key: inbox, uid: 2, claim: true, want: []uint32{2}},
			{key: inbox, uid: 2, claim: true},
			{key: inbox, uid: 3, want: []uint32{3}}, // read-only: sees, takes nothing
			{key: inbox, uid: 3, claim: true, want: []uint32{3}},
			{key: inbox, uid: 3},
			{key: inbox, open: []uint32{1, 2, 3, 4}, claim: true, want: []uint32{4}},
		}},
		{"claims are per user, mailbox and UIDVALIDITY", []step{
			{key: inbox, open: []uint32{1, 2}, claim: true, want: []uint32{1, 2}},
			{key: recentKey{"bob", "INBOX", 1}, open: []uint32{1, 2}, claim: true, want: []uint32{1, 2}},
			{key: recentKey{"alice", "Sent", 1}, open: []uint32{1}, claim: true, want: []uint32{1}},
			{key: recentKey{"alice", "INBOX", 2}, open: []uint32{1, 2}, claim: true, want: []uint32{1, 2}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r recentClaims
			for i, s := range tc.steps {
				if s.open != nil {
					require.Equal(t, s.want, r.open(s.key, s.open, s.claim), "step %d", i)
					continue
				}
				require.Equal(t, s.want != nil, r.arrived(s.key, s.uid, s.claim), "step %d", i)
			}
		})
	}
}

// TestRecentCount_RFC3501_6_3_10: STATUS RECENT counts the messages no
// session has claimed, and a deleted or renamed mailbox starts over.
func TestRecentCount_RFC3501_6_3_10(t *testing.T) {
	k := recentKey{"alice", "INBOX", 7}
	var r recentClaims
	st := &MailboxStatus{Messages: 3, UIDNext: 4, UIDValidity: 7}
	require.Equal(t, uint32(3), r.count(k, st), "nothing claimed yet")
	r.open(k, []uint32{1, 2}, true)
	require.Equal(t, uint32(1), r.count(k, st), "message 3 arrived after the SELECT")
	require.Equal(t, uint32(1), r.count(k, &MailboxStatus{Messages: 1, UIDNext: 4}), "1 and 2 expunged")
	r.arrived(k, 3, true)
	require.Equal(t, uint32(0), r.count(k, st))
	r.forget("alice", "Other")
	require.Equal(t, uint32(0), r.count(k, st), "another mailbox forgotten")
	r.forget("alice", "INBOX")
	require.Equal(t, uint32(3), r.count(k, st), "a mailbox renamed away starts over")
}
