package pop3

import (
	"bufio"
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// ctxBackend records, for each Backend and Maildrop call, whether it got
// the session's context (the one Login got) while still live.
type ctxBackend struct {
	session chan context.Context
	live    chan string
}

type ctxMaildrop struct {
	emptyMaildrop
	b   *ctxBackend
	ctx context.Context
}

func (b *ctxBackend) Login(ctx context.Context, _ *Conn, _, _ string) (Maildrop, error) {
	b.session <- ctx
	return ctxMaildrop{b: b, ctx: ctx}, nil
}

func (m ctxMaildrop) check(ctx context.Context, name string) {
	if ctx == m.ctx && ctx.Err() == nil {
		m.b.live <- name
	}
}

func (m ctxMaildrop) Messages(ctx context.Context) ([]MessageInfo, error) {
	m.check(ctx, "Messages")
	return nil, nil
}

func (m ctxMaildrop) Close(ctx context.Context) error {
	m.check(ctx, "Close")
	return nil
}

// TestSessionContext: every Backend and Maildrop call gets the session's
// context; it is live up to Maildrop.Close and canceled once the
// connection ended (RFC 1939 section 6: QUIT ends the session).
func TestSessionContext(t *testing.T) {
	b := &ctxBackend{session: make(chan context.Context, 1), live: make(chan string, 2)}
	srv := &Server{Domain: "pop.test", Backend: b, AllowInsecureAuth: true}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	nc, err := net.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(nc, "USER alice\r\nPASS secret\r\nQUIT\r\n")
	br := bufio.NewReader(nc)
	for range 4 {
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, "+OK", line[:3], line)
	}
	ctx := <-b.session
	require.Equal(t, "Messages", <-b.live)
	require.Equal(t, "Close", <-b.live)
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the session's context was not canceled")
	}
}
