package smtp

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/netserver/attack"
)

// ctxBackend reports the context of each call: the one NewSession got,
// and whether it was still live in Mail and in Logout.
type ctxBackend struct {
	opened chan context.Context
	live   chan string
}

func (b *ctxBackend) NewSession(ctx context.Context, _ *Conn) (Session, error) {
	b.opened <- ctx
	return ctxSession{b, ctx}, nil
}

type ctxSession struct {
	b   *ctxBackend
	ctx context.Context
}

func (s ctxSession) check(ctx context.Context, name string) {
	if ctx == s.ctx && ctx.Err() == nil {
		s.b.live <- name
	}
}

func (s ctxSession) Mail(ctx context.Context, _ string, _ *MailOptions) error {
	s.check(ctx, "Mail")
	return nil
}
func (ctxSession) Rcpt(context.Context, string, *RcptOptions) error { return nil }
func (ctxSession) Data(_ context.Context, r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (ctxSession) Reset(context.Context) {}
func (s ctxSession) Logout(ctx context.Context) error {
	s.check(ctx, "Logout")
	return nil
}

// TestSessionContext: every Backend and Session call gets the
// session's context; it is live up to Logout and canceled once the
// connection ended (RFC 5321 4.1.1.10: QUIT ends the session).
func TestSessionContext(t *testing.T) {
	b := &ctxBackend{opened: make(chan context.Context, 1), live: make(chan string, 2)}
	srv := &Server{Domain: "mx.test", Backend: b}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	nc, br := attack.DialFrom(t, "127.0.0.1", l.Addr().String())
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	require.True(t, hello(nc, br))
	io.WriteString(nc, "MAIL FROM:<a@b.test>\r\nQUIT\r\n")
	require.Equal(t, "250 2.1.0 Sender OK", lastLine(br))
	require.Equal(t, "221 2.0.0 mx.test Service closing transmission channel", lastLine(br))
	ctx := <-b.opened
	require.Equal(t, "Mail", <-b.live)
	require.Equal(t, "Logout", <-b.live)
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the session's context was not canceled")
	}
}
