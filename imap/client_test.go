package imap

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imap/internal/wire"
)

// TestCloseWhileFetchAbandoned checks that Close returns even when a
// FETCH consumer walked away with a body unread: the reading goroutine
// must not outlive Close.
func TestCloseWhileFetchAbandoned(t *testing.T) {
	client := pipeServer("* PREAUTH hi\r\n", func(br *bufio.Reader, server io.Writer) {
		line, _ := br.ReadString('\n') // SELECT
		tag, _, _ := strings.Cut(line, " ")
		io.WriteString(server, tag+" OK selected\r\n")
		line, _ = br.ReadString('\n')
		tag, _, _ = strings.Cut(line, " ")
		for i := 1; i <= 100; i++ {
			if _, err := io.WriteString(server, "* 1 FETCH (BODY[] {5}\r\nhello)\r\n"); err != nil {
				return
			}
		}
		io.WriteString(server, tag+" OK done\r\n")
	})
	c := newTestClient(t, client, nil)
	selectInbox(t, c)
	f := c.Fetch(context.Background(), SeqSetRange(1, 0), &FetchOptions{BodySection: []*FetchItemBodySection{{}}})
	m := f.Next()
	require.NotNil(t, m)
	require.NotNil(t, m.Next()) // a body, left unread
	done := make(chan struct{})
	go func() { c.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung")
	}
	assert.Nil(t, f.Next())
	assert.ErrorIs(t, f.Close(), ErrClosed)
}

// TestLimits_Client checks that a server's oversized line is an error
// that closes the connection, not unbounded memory.
func TestLimits_Client(t *testing.T) {
	client, server := net.Pipe()
	go func() {
		defer server.Close()
		io.WriteString(server, "* OK "+strings.Repeat("x", 10000)+"\r\n")
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := NewClient(ctx, client, &Options{MaxLine: 1000})
	require.NotErrorIs(t, err, context.DeadlineExceeded, "no error for an oversized line")
	assert.Nil(t, c)
	assert.ErrorContains(t, err, "line too long")
	assert.ErrorIs(t, err, ErrMalformedResponse)
}

// TestBadKeywordKeepsConnection_RFC3501_9 checks that a keyword that is
// not an atom fails its command before anything is sent, and the
// connection stays usable.
func TestBadKeywordKeepsConnection_RFC3501_9(t *testing.T) {
	client := pipeServer("* PREAUTH hi\r\n", func(br *bufio.Reader, server io.Writer) {
		eachCommand(br, func(tag, rest string) {
			if !strings.HasPrefix(rest, "NOOP") && !strings.HasPrefix(rest, "SELECT") {
				io.WriteString(server, tag+" BAD unexpected "+rest)
				return
			}
			io.WriteString(server, tag+" OK noop\r\n")
		})
	})
	c := newTestClient(t, client, nil)
	ctx := testCtx(t)
	selectInbox(t, c)
	err := c.Store(ctx, SeqSetNum(1), &StoreFlags{Op: StoreFlagsAdd, Flags: []Flag{"bad\r\nT9 DELETE INBOX"}}, nil).Close()
	assert.ErrorIs(t, err, wire.ErrNotAtom)
	assert.ErrorIs(t, err, ErrInvalidArgument)
	require.NoError(t, c.Noop(ctx))
}

// TestFetchCancelled checks that cancelling a FETCH's context while a body
// is being read neither races with the reading goroutine nor leaves the
// connection stuck: the next command works.
func TestFetchCancelled(t *testing.T) {
	client := pipeServer("* PREAUTH hi\r\n", func(br *bufio.Reader, server io.Writer) {
		eachCommand(br, func(tag, rest string) {
			if strings.HasPrefix(rest, "FETCH") {
				for range 50 {
					io.WriteString(server, "* 1 FETCH (UID 1 BODY[] {10}\r\n0123456789)\r\n")
				}
			}
			io.WriteString(server, tag+" OK done\r\n")
		})
	})
	c := newTestClient(t, client, nil)
	selectInbox(t, c)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	f := c.Fetch(ctx, SeqSetRange(1, 0), &FetchOptions{UID: true, BodySection: []*FetchItemBodySection{{}}})
	m := f.Next()
	require.NotNil(t, m)
	for item := m.Next(); item != nil; item = m.Next() {
		if b, ok := item.(FetchItemDataBodySection); ok {
			buf := make([]byte, 3)
			_, err := io.ReadFull(b.Literal, buf)
			require.NoError(t, err)
			cancel()
			_, err = io.ReadFull(b.Literal, buf) // still ours after cancel
			require.NoError(t, err)
			assert.Equal(t, "345", string(buf))
		}
	}
	assert.ErrorIs(t, f.Close(), context.Canceled)
	require.NoError(t, c.Noop(testCtx(t)))
}

// pipeServer returns the client end of a pipe whose server end sends
// greeting and then runs serve on what the client writes, closing when
// serve returns.
func pipeServer(greeting string, serve func(br *bufio.Reader, server io.Writer)) net.Conn {
	client, server := net.Pipe()
	go func() {
		defer server.Close()
		io.WriteString(server, greeting)
		serve(bufio.NewReader(server), server)
	}()
	return client
}

// eachCommand calls answer with the tag and the rest of every line the
// client sends, until the connection ends.
func eachCommand(br *bufio.Reader, answer func(tag, rest string)) {
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		tag, rest, _ := strings.Cut(line, " ")
		answer(tag, rest)
	}
}

// newTestClient starts a client on conn, which NewClient returns once the
// greeting is in, and closes it when the test ends.
func newTestClient(t *testing.T, conn net.Conn, opts *Options) *Client {
	t.Helper()
	c, err := NewClient(testCtx(t), conn, opts)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// selectInbox selects INBOX on a fake server that answers SELECT with OK,
// so that the client's state table lets it send selected-state commands.
func selectInbox(t *testing.T, c *Client) {
	t.Helper()
	_, err := c.Select(testCtx(t), "INBOX", nil)
	require.NoError(t, err)
	require.Equal(t, StateSelected, c.State())
}
