package mailstore

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/imapstress"
)

// serveIMAP serves s over IMAP on 127.0.0.1 until the test ends.
func serveIMAP(t *testing.T, s *Maildir) string {
	t.Helper()
	srv := &imap.Server{Backend: s.IMAP(), AllowInsecureAuth: true}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
		s.Close()
	})
	return l.Addr().String()
}

// TestConcurrentSessions_RFC2180_4 runs ten clients that append, store
// flags and keywords, expunge, copy, fetch and idle on one Maildir
// folder, and checks every response (internal/imapstress): no sequence
// number past the session's EXISTS (RFC 3501 sections 7.3.1 and 7.4.1),
// keywords announced before use (section 7.2.6), UIDs ascending, no
// SERVERBUG for files renamed or removed by other sessions, no broken
// line, only the NO replies RFC 2180 allows.
func TestConcurrentSessions_RFC2180_4(t *testing.T) {
	s := openMaildir(t, t.TempDir())
	require.NoError(t, s.Deliver(context.Background(), "alice", strings.NewReader("Subject: one\n\nbody\n")))
	addr := serveIMAP(t, s)
	rep := imapstress.Run(context.Background(), imapstress.Config{
		Dial:     func() (net.Conn, error) { return net.Dial("tcp", addr) },
		User:     "alice",
		Password: "secret",
		Clients:  10,
		Duration: 2 * time.Second,
		Seed:     uint64(time.Now().UnixNano()),
	})
	t.Logf("Maildir store: %d commands, %d responses checked; operations %v; replies %v", rep.Ops, rep.Responses, rep.PerOp, rep.Replies)
	require.Zero(t, rep.NErrors, strings.Join(rep.Errors, "\n"))
	for _, name := range []string{"APPEND", "FETCH", "STORE", "EXPUNGE", "COPY", "IDLE"} {
		require.NotZero(t, rep.PerOp[name], "no %s ran", name)
	}
}
