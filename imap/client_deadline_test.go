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

	"github.com/mailwire/mailwire/internal/testutil"
)

// stallServer is a raw IMAP server on 127.0.0.1 that greets with PREAUTH,
// answers SELECT with OK (selectInbox) and each other command line with
// answer(tag, command); what it returns is written, and then it reads the
// next line. It never closes the connection on its own, as a hung server
// does not: testutil.ServeOnce closes it when the test ends.
func stallServer(t *testing.T, answer func(tag, cmd string) string) string {
	t.Helper()
	return testutil.ServeOnce(t, func(nc net.Conn) {
		io.WriteString(nc, "* PREAUTH ready\r\n")
		br := bufio.NewReader(nc)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			tag, cmd, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
			if strings.HasPrefix(cmd, "SELECT ") {
				io.WriteString(nc, tag+" OK [READ-WRITE] selected\r\n")
				continue
			}
			io.WriteString(nc, answer(tag, cmd))
		}
	})
}

// returnsWithin fails the test when f has not returned after limit: a
// generous bound that proves the call does not hang.
func returnsWithin(t *testing.T, limit time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("still blocked after %v", limit)
	}
}

// TestClientDeadline_FetchStalledLiteral_RFC3501_5_5: the server starts a
// 1000-octet literal, sends 10 octets and stalls. A 300 ms context must
// end the caller's read of the literal and FetchCommand.Close (the
// connection is closed, since the command cannot be abandoned on the
// wire), and later calls fail with ErrClosed.
func TestClientDeadline_FetchStalledLiteral_RFC3501_5_5(t *testing.T) {
	addr := stallServer(t, func(tag, cmd string) string {
		if strings.HasPrefix(cmd, "FETCH") {
			return "* 1 FETCH (BODY[] {1000}\r\n0123456789"
		}
		return ""
	})
	c, err := Dial(testCtx(t), addr, &Options{CancelTimeout: 200 * time.Millisecond})
	require.NoError(t, err)
	defer c.Close()
	selectInbox(t, c)
	ctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
	defer cancel()
	returnsWithin(t, 3*time.Second, func() {
		f := c.Fetch(ctx, SeqSetNum(1), &FetchOptions{BodySection: []*FetchItemBodySection{{}}})
		m := f.Next()
		require.NotNil(t, m)
		item := m.Next()
		b, ok := item.(FetchItemDataBodySection)
		require.True(t, ok, "%T", item)
		got, err := io.ReadAll(b.Literal)
		assert.Error(t, err)
		assert.Equal(t, "0123456789", string(got))
		assert.Error(t, f.Close())
	})
	assert.ErrorIs(t, c.Noop(testCtx(t)), ErrClosed)
}

// TestClientDeadline_FetchNoAnswer_RFC3501_5_5: a server that never
// answers a FETCH: Next returns at the deadline and Close within
// CancelTimeout of it.
func TestClientDeadline_FetchNoAnswer_RFC3501_5_5(t *testing.T) {
	addr := stallServer(t, func(tag, cmd string) string { return "" })
	c, err := Dial(testCtx(t), addr, &Options{CancelTimeout: 200 * time.Millisecond})
	require.NoError(t, err)
	defer c.Close()
	selectInbox(t, c)
	ctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
	defer cancel()
	returnsWithin(t, 3*time.Second, func() {
		f := c.Fetch(ctx, SeqSetNum(1), &FetchOptions{Flags: true})
		assert.Nil(t, f.Next())
		assert.ErrorIs(t, f.Close(), context.DeadlineExceeded)
	})
}

// TestClientDeadline_IdleDoneUnanswered_RFC2177_3: the server accepts
// IDLE and never answers DONE; Idle returns once its context ended and
// CancelTimeout passed.
func TestClientDeadline_IdleDoneUnanswered_RFC2177_3(t *testing.T) {
	addr := stallServer(t, func(tag, cmd string) string {
		if cmd == "IDLE" {
			return "+ idling\r\n"
		}
		return ""
	})
	c, err := Dial(testCtx(t), addr, &Options{CancelTimeout: 200 * time.Millisecond})
	require.NoError(t, err)
	defer c.Close()
	ctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
	defer cancel()
	returnsWithin(t, 3*time.Second, func() { assert.Error(t, c.Idle(ctx)) })
}

// TestClientDeadline_LogoutUnanswered_RFC3501_6_1_3: LOGOUT to a server
// that never answers is bounded by its context, and closes the
// connection.
func TestClientDeadline_LogoutUnanswered_RFC3501_6_1_3(t *testing.T) {
	addr := stallServer(t, func(tag, cmd string) string { return "" })
	c, err := Dial(testCtx(t), addr, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
	defer cancel()
	returnsWithin(t, 3*time.Second, func() {
		assert.ErrorIs(t, c.Logout(ctx), context.DeadlineExceeded)
		c.Close()
	})
	select {
	case <-c.Closed():
	default:
		t.Fatal("connection still open after Logout")
	}
}

// TestClientDeadline_HangupMidResponse_RFC3501_5_5: the server hangs up
// in the middle of a FETCH response: the caller gets an error at once,
// not at its deadline.
func TestClientDeadline_HangupMidResponse_RFC3501_5_5(t *testing.T) {
	addr := testutil.ServeOnce(t, func(nc net.Conn) {
		io.WriteString(nc, "* PREAUTH ready\r\n")
		bufio.NewReader(nc).ReadString('\n')
		io.WriteString(nc, "* 1 FETCH (BODY[] {1000}\r\n01234")
		nc.Close()
	})
	c, err := Dial(testCtx(t), addr, nil)
	require.NoError(t, err)
	defer c.Close()
	returnsWithin(t, 3*time.Second, func() {
		f := c.Fetch(testCtx(t), SeqSetNum(1), &FetchOptions{BodySection: []*FetchItemBodySection{{}}})
		if m := f.Next(); m != nil {
			if b, ok := m.Next().(FetchItemDataBodySection); ok {
				_, err := io.ReadAll(b.Literal)
				assert.Error(t, err)
			}
		}
		assert.Error(t, f.Close())
	})
}
