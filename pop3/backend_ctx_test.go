package pop3

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/servertest"
)

// ctxBackend reports to its Contexts, for each Backend and Maildrop
// call, whether it got the session's context (the one Login got) while
// still live.
type ctxBackend struct{ *servertest.Contexts }

type ctxMaildrop struct {
	emptyMaildrop
	b   ctxBackend
	ctx context.Context
}

func (b ctxBackend) Login(ctx context.Context, _ *Conn, _, _ string) (Maildrop, error) {
	b.Opened(ctx)
	return ctxMaildrop{b: b, ctx: ctx}, nil
}

func (m ctxMaildrop) Messages(ctx context.Context) ([]MessageInfo, error) {
	m.b.Called(m.ctx, ctx, "Messages")
	return nil, nil
}

func (m ctxMaildrop) Close(ctx context.Context) error {
	m.b.Called(m.ctx, ctx, "Close")
	return nil
}

// TestSessionContext: every Backend and Maildrop call gets the session's
// context; it is live up to Maildrop.Close and canceled once the
// connection ended (RFC 1939 section 6: QUIT ends the session).
func TestSessionContext(t *testing.T) {
	b := ctxBackend{servertest.NewContexts()}
	addr := servertest.Serve(t, &Server{Domain: "pop.test", Backend: b, AllowInsecureAuth: true})
	s := pop3Proto.Greeted(t, addr, "127.0.0.1")
	s.Send("USER alice\r\nPASS secret\r\nQUIT\r\n")
	for range 3 {
		line := s.Line()
		require.True(t, servertest.Match("+OK*", line), line)
	}
	b.Check(t, "Messages", "Close")
}
