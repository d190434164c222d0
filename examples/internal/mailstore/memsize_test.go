package mailstore

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap/imapmem"
)

// TestSizeCache: a size is computed once per UID and kept while the
// UIDVALIDITY stays; expunged UIDs leave the cache, a new UIDVALIDITY
// empties it.
func TestSizeCache(t *testing.T) {
	var c sizeCache
	msgs := []imapmem.Message{{UID: 1, Data: []byte("a\nb\n")}, {UID: 2, Data: []byte("a\r\nb\r\n")}}
	require.Equal(t, []int64{6, 6}, c.sizes("alice", 7, msgs))

	// The bytes under a UID never change, so the cached size is used
	// (these stand-in bytes would count otherwise).
	msgs[0].Data = []byte("x")
	msgs = append(msgs[:1], imapmem.Message{UID: 3, Data: []byte("\n")})
	require.Equal(t, []int64{6, 2}, c.sizes("alice", 7, msgs))
	require.Equal(t, map[uint32]int64{1: 6, 3: 2}, c.users["alice"].sizes, "UID 2 was expunged")

	require.Equal(t, []int64{1, 2}, c.sizes("alice", 8, msgs), "a new UIDVALIDITY starts over")
	require.Equal(t, []int64{2}, c.sizes("bob", 8, msgs[1:]))
}
