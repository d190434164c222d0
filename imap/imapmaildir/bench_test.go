package imapmaildir_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/message/maildir"
)

// benchMessages is how many messages the benchmarks' INBOX holds.
const benchMessages = 1000

// benchMessage is message i of the benchmarks: a small multipart in
// CRLF form, as both stores are given it.
func benchMessage(i int) string {
	return strings.ReplaceAll(fmt.Sprintf("X-Seq: %d\n", i)+multipart(2), "\n", "\r\n")
}

// benchServers starts one server over imapmem and one over a Maildir,
// each with the same benchMessages in the INBOX, and returns their
// addresses by name.
func benchServers(b *testing.B) map[string]string {
	b.Helper()
	mem := imapmem.New()
	mem.AddUser(testUser, testPassword)
	dir := b.TempDir()
	store, err := maildir.OpenStore(inboxRoot(dir), nil)
	require.NoError(b, err)
	ctx := context.Background()
	inbox, err := store.Mailbox(ctx, imap.Inbox)
	require.NoError(b, err)
	for i := range benchMessages {
		msg := benchMessage(i)
		_, err := mem.Append(testUser, imap.Inbox, []byte(msg), []imap.Flag{imap.FlagSeen}, time.Now())
		require.NoError(b, err)
		_, _, err = inbox.Append(ctx, strings.NewReader(msg), []string{string(imap.FlagSeen)}, time.Time{})
		require.NoError(b, err)
	}
	require.NoError(b, store.Close())
	return map[string]string{
		"imapmem":     serveBackend(b, mem, nil),
		"imapmaildir": serve(b, dir),
	}
}

// benchFetch measures FETCH 1:* with opts on each store, after one
// FETCH that warms what each caches.
func benchFetch(b *testing.B, opts *imap.FetchOptions) {
	addrs := benchServers(b)
	for _, name := range []string{"imapmem", "imapmaildir"} {
		addr := addrs[name]
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			c := login(b, ctx, addr, &imap.Options{})
			_, err := c.Select(ctx, imap.Inbox, nil)
			require.NoError(b, err)
			fetch := func() {
				msgs, err := c.Fetch(ctx, imap.SeqSetRange(1, 0), opts).Collect()
				require.NoError(b, err)
				require.Len(b, msgs, benchMessages)
			}
			fetch()
			n := 0
			for b.Loop() {
				fetch()
				n++
			}
			b.ReportMetric(float64(n)*benchMessages/b.Elapsed().Seconds(), "msg/s")
		})
	}
}

// BenchmarkFetchFlags compares FETCH 1:* (FLAGS) of 1,000 messages on
// the Maildir store and on imapmem, the metadata a client syncs at
// every SELECT.
func BenchmarkFetchFlags(b *testing.B) {
	benchFetch(b, &imap.FetchOptions{Flags: true})
}

// BenchmarkFetchBodyStructure compares FETCH 1:* (BODYSTRUCTURE) of
// 1,000 messages, served from the cached structures of both stores.
func BenchmarkFetchBodyStructure(b *testing.B) {
	benchFetch(b, &imap.FetchOptions{BodyStructure: true})
}
