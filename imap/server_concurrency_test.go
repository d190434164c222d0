package imap_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/mailwire/mailwire/internal/imapstress"
	"github.com/stretchr/testify/require"
)

// TestConcurrentSessions_RFC2180_4 runs ten clients that append, store
// flags and keywords, expunge, copy, fetch and idle on one mailbox of the
// memory store, and checks every response (internal/imapstress): no
// sequence number past the session's EXISTS (RFC 3501 sections 7.3.1 and
// 7.4.1), keywords announced before use (section 7.2.6), UIDs ascending,
// no SERVERBUG, no broken line, only the NO replies RFC 2180 allows.
func TestConcurrentSessions_RFC2180_4(t *testing.T) {
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithUser("alice", "pass"),
		imaptest.WithMessage("alice", "INBOX", sample("one")),
		imaptest.WithMessage("alice", "INBOX", sample("two")))
	rep := imapstress.Run(context.Background(), imapstress.Config{
		Dial:     func() (net.Conn, error) { return net.Dial("tcp", srv.Addr) },
		User:     "alice",
		Password: "pass",
		Clients:  10,
		Duration: 2 * time.Second,
		Seed:     uint64(time.Now().UnixNano()),
	})
	t.Logf("memory store: %d commands, %d responses checked; operations %v; replies %v", rep.Ops, rep.Responses, rep.PerOp, rep.Replies)
	require.Zero(t, rep.NErrors, strings.Join(rep.Errors, "\n"))
	for _, name := range []string{"APPEND", "FETCH", "STORE", "EXPUNGE", "COPY", "IDLE"} {
		require.NotZero(t, rep.PerOp[name], "no %s ran", name)
	}
}
