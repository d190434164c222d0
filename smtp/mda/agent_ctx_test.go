package mda

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/smtp"
)

// ctxBox records the context each delivery is given, and whether it was
// live then.
type ctxBox struct{ ctxs chan context.Context }

func (b *ctxBox) Deliver(ctx context.Context, _ string, r io.Reader) error {
	if ctx.Err() != nil {
		return errors.New("delivery under a canceled context")
	}
	b.ctxs <- ctx
	_, err := io.Copy(io.Discard, r)
	return err
}

// dialLMTP opens an LMTP client session on addr.
func dialLMTP(ctx context.Context, addr string) (*smtp.Client, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return smtp.NewLMTPClient(ctx, conn, nil)
}

// TestDeliverGetsSessionContext: every delivery, over SMTP and LMTP,
// runs under the SMTP session's context, live while the message is
// stored and canceled once the session ended, so that a store stops work
// for a client gone.
func TestDeliverGetsSessionContext(t *testing.T) {
	for _, lmtp := range []bool{false, true} {
		box := &ctxBox{ctxs: make(chan context.Context, 2)}
		addr := serve(t, box, t.TempDir(), lmtp)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := smtp.Dial(ctx, addr, nil)
		if lmtp {
			c, err = dialLMTP(ctx, addr)
		}
		require.NoError(t, err)
		require.NoError(t, c.Hello(ctx, "c.example.org"))
		require.NoError(t, c.Send(ctx, "carol@example.org", []string{"alice@example.test", "bob@example.test"}, strings.NewReader(body), nil))
		got := []context.Context{<-box.ctxs, <-box.ctxs}
		for _, g := range got {
			require.NotNil(t, g.Done(), "not context.Background")
		}
		require.NoError(t, c.Quit(ctx))
		for _, g := range got {
			select {
			case <-g.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("the session's context was not canceled when it ended")
			}
		}
		cancel()
	}
}
