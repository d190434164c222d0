package smtp

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/servertest"
)

// ctxBackend reports the context of each call to its Contexts: the one
// NewSession got, and whether it was still live in Mail and in Logout.
type ctxBackend struct{ *servertest.Contexts }

func (b ctxBackend) NewSession(ctx context.Context, _ *Conn) (Session, error) {
	b.Opened(ctx)
	return ctxSession{b, ctx}, nil
}

type ctxSession struct {
	b   ctxBackend
	ctx context.Context
}

func (s ctxSession) Mail(ctx context.Context, _ string, _ *MailOptions) error {
	s.b.Called(s.ctx, ctx, "Mail")
	return nil
}
func (ctxSession) Rcpt(context.Context, string, *RcptOptions) error { return nil }
func (ctxSession) Data(_ context.Context, r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (ctxSession) Reset(context.Context) {}
func (s ctxSession) Logout(ctx context.Context) error {
	s.b.Called(s.ctx, ctx, "Logout")
	return nil
}

// TestSessionContext: every Backend and Session call gets the
// session's context; it is live up to Logout and canceled once the
// connection ended (RFC 5321 4.1.1.10: QUIT ends the session).
func TestSessionContext(t *testing.T) {
	b := ctxBackend{servertest.NewContexts()}
	addr := servertest.Serve(t, &Server{Domain: "mx.test", Backend: b})
	s := relay.Greeted(t, addr, "127.0.0.1")
	s.Send("MAIL FROM:<a@b.test>\r\nQUIT\r\n")
	require.Equal(t, "250 2.1.0 Sender OK", s.Reply())
	require.Equal(t, "221 2.0.0 mx.test Service closing transmission channel", s.Reply())
	b.Check(t, "Mail", "Logout")
}
