package imap

import (
	"bufio"
	"io"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/imap/internal/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClient_InvalidArgument_RFC3501_9: a mailbox name with a control
// character (RFC 6855 section 3), an empty sequence set and a flag that is
// not an atom are refused with ErrInvalidArgument before a byte is
// written, and the session goes on.
func TestClient_InvalidArgument_RFC3501_9(t *testing.T) {
	ctx := testCtx(t)
	c, cc := clientIn(t, StateSelected, nil, nil)
	before := cc.written.Load()
	for name, call := range map[string]func() error{
		"SELECT CRLF":   func() error { _, err := c.Select(ctx, "INBOX\r\nT9 DELETE INBOX", nil); return err },
		"CREATE NUL":    func() error { return c.Create(ctx, "a\x00b") },
		"RENAME to LF":  func() error { return c.Rename(ctx, "a", "b\nc") },
		"DELETE C1":     func() error { return c.Delete(ctx, "a\u0085b") },
		"LIST pattern":  func() error { _, err := c.List(ctx, "", []string{"*\r\n"}, nil); return err },
		"STATUS tab":    func() error { _, err := c.Status(ctx, "a\tb", nil); return err },
		"APPEND CR":     func() error { _, err := c.Append(ctx, "a\rb", 2, strings.NewReader("hi"), nil); return err },
		"APPEND size":   func() error { _, err := c.Append(ctx, "a", -1, strings.NewReader("hi"), nil); return err },
		"COPY to CRLF":  func() error { _, err := c.Copy(ctx, SeqSetNum(1), "a\r\n"); return err },
		"FETCH empty":   func() error { return c.Fetch(ctx, SeqSet{}, &FetchOptions{Flags: true}).Close() },
		"STORE empty":   func() error { return c.Store(ctx, SeqSet{}, &StoreFlags{Flags: []Flag{FlagSeen}}, nil).Close() },
		"COPY empty":    func() error { _, err := c.Copy(ctx, SeqSet{}, "a"); return err },
		"MOVE empty":    func() error { _, err := c.UIDMove(ctx, SeqSet{}, "a"); return err },
		"EXPUNGE empty": func() error { _, err := c.UIDExpunge(ctx, SeqSet{}); return err },
		"STORE flag": func() error {
			return c.Store(ctx, SeqSetNum(1), &StoreFlags{Flags: []Flag{"bad flag"}}, nil).Close()
		},
	} {
		err := call()
		require.ErrorIs(t, err, ErrInvalidArgument, name)
		assert.True(t, strings.HasPrefix(err.Error(), "imap: invalid argument: "), "%s: %v", name, err)
		assert.NotContains(t, err.Error(), "imap: imap:", name)
		assert.Equal(t, before, cc.written.Load(), "%s wrote", name)
	}
	require.NoError(t, c.Noop(ctx), "the session goes on")
	assert.Equal(t, StateSelected, c.State())
}

// TestClient_MalformedResponse_RFC3501_9: a response that breaks the
// formal syntax fails the command with an error wrapping
// ErrMalformedResponse, with the codec's *wire.SyntaxError behind it, and
// closes the client, whose later calls return the same error.
func TestClient_MalformedResponse_RFC3501_9(t *testing.T) {
	client := pipeServer("* PREAUTH hi\r\n", func(br *bufio.Reader, server io.Writer) {
		line, _ := br.ReadString('\n')
		tag, _, _ := strings.Cut(line, " ")
		io.WriteString(server, "* STATUS INBOX (MESSAGES x)\r\n"+tag+" OK done\r\n")
		io.Copy(io.Discard, br)
	})
	c := newTestClient(t, client, nil)
	ctx := testCtx(t)
	_, err := c.Status(ctx, "INBOX", &StatusOptions{NumMessages: true})
	require.ErrorIs(t, err, ErrMalformedResponse)
	var syntax *wire.SyntaxError
	require.ErrorAs(t, err, &syntax)
	assert.True(t, strings.HasPrefix(err.Error(), "imap: malformed response: syntax error"), err.Error())
	<-c.Closed()
	assert.ErrorIs(t, c.Noop(ctx), ErrMalformedResponse)
}
