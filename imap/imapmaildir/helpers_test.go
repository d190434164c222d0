package imapmaildir_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmaildir"
	"github.com/mailwire/mailwire/message"
	"github.com/mailwire/mailwire/message/maildir"
)

// The one user of the tests and her password.
const (
	testUser     = "alice"
	testPassword = "secret"
)

// newStores returns Stores keeping each user's Maildir under dir as
// Dovecot's mail_location = maildir:~/Maildir does, with the structure
// depth IMAP needs (see Backend.Stores). Two Stores on one dir
// share nothing in memory: they are two server processes.
func newStores(dir string) *maildir.Stores {
	return &maildir.Stores{
		Path:    func(user string) string { return filepath.Join(dir, user, "Maildir") },
		Options: &maildir.StoreOptions{StructureLimits: message.Limits{MaxDepth: imap.DefaultStructureDepth}},
	}
}

// inboxRoot is the Maildir of the test user under dir.
func inboxRoot(dir string) string { return filepath.Join(dir, testUser, "Maildir") }

// newBackend serves stores to the test user.
func newBackend(stores *maildir.Stores) *imapmaildir.Backend {
	return &imapmaildir.Backend{
		Stores: stores,
		Authenticate: func(_ context.Context, username, password string) (string, error) {
			if username != testUser || password != testPassword {
				return "", errors.New("bad credentials")
			}
			return username, nil
		},
	}
}

// serve runs an imap.Server over a Backend of new Stores on dir (a
// process of its own) until the test ends, and returns its address.
func serve(t testing.TB, dir string) string {
	t.Helper()
	stores := newStores(dir)
	return serveBackend(t, newBackend(stores), stores)
}

// serveBackend runs an imap.Server over backend on 127.0.0.1.
func serveBackend(t testing.TB, backend imap.Backend, stores *maildir.Stores) string {
	t.Helper()
	logs := &testLog{t: t}
	srv := &imap.Server{Backend: backend, AllowInsecureAuth: true, Logger: slog.New(slog.NewTextHandler(logs, nil))}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
		logs.stop()
		if stores != nil {
			_ = stores.Close()
		}
	})
	return l.Addr().String()
}

// testLog writes the server's log (a backend error behind NO
// [SERVERBUG], say) to the test's log until the server is closed.
type testLog struct {
	mu      sync.Mutex
	t       testing.TB
	stopped bool
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.t.Logf("server: %s", strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func (l *testLog) stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
}

// testContext is the bound of one test's exchange: a guard against a
// hang, never a timing assertion.
func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// login dials addr and logs the test user in.
func login(t testing.TB, ctx context.Context, addr string, opts *imap.Options) *imap.Client {
	t.Helper()
	c, err := imap.Dial(ctx, addr, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	require.NoError(t, c.Login(ctx, testUser, testPassword))
	return c
}

// statusCode returns the response code of a NO (or BAD) the client got,
// failing the test for another error.
func statusCode(t testing.TB, err error) imap.ResponseCode {
	t.Helper()
	var st *imap.StatusResponse
	require.ErrorAs(t, err, &st)
	return st.Code
}

// appendMessage APPENDs a small message to mailbox and returns the
// APPENDUID data.
func appendMessage(t testing.TB, ctx context.Context, c *imap.Client, mailbox, subject string, flags ...imap.Flag) (*imap.AppendData, error) {
	t.Helper()
	msg := "From: bob@example.org\r\nSubject: " + subject + "\r\n\r\nbody of " + subject + "\r\n"
	return c.Append(ctx, mailbox, int64(len(msg)), strings.NewReader(msg), &imap.AppendOptions{Flags: flags})
}

// fetchAll fetches items of every message of the selected mailbox.
func fetchAll(t testing.TB, ctx context.Context, c *imap.Client, opts *imap.FetchOptions) []*imap.FetchMessageBuffer {
	t.Helper()
	msgs, err := c.Fetch(ctx, imap.SeqSetRange(1, 0), opts).Collect()
	require.NoError(t, err)
	return msgs
}

// uidsOf lists the UIDs of fetched messages.
func uidsOf(msgs []*imap.FetchMessageBuffer) []uint32 {
	out := make([]uint32, len(msgs))
	for i, m := range msgs {
		out[i] = m.UID
	}
	return out
}

// noRecent drops \Recent from fetched flags: the server gives it per
// session (RFC 3501 section 2.3.2), and each server process claims it
// for its own sessions, so it is not the Store's to keep.
func noRecent(flags []imap.Flag) []imap.Flag {
	var out []imap.Flag
	for _, f := range flags {
		if !f.Equal(imap.FlagRecent) {
			out = append(out, f)
		}
	}
	return out
}
