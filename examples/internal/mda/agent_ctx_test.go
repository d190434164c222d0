package mda

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/examples/internal/mailstore"
	"github.com/mailwire/mailwire/smtp"
)

// ctxBox records the context each delivery is given.
type ctxBox struct{ ctxs chan context.Context }

func (b *ctxBox) Deliver(ctx context.Context, _ string, r io.Reader) error {
	b.ctxs <- ctx
	_, err := io.Copy(io.Discard, r)
	return err
}

// TestDeliverGetsSessionContext: a delivery runs under the SMTP
// session's context, live while the message is stored and canceled once
// the session ended, so that a store stops work for a client gone.
func TestDeliverGetsSessionContext(t *testing.T) {
	box := &ctxBox{ctxs: make(chan context.Context, 1)}
	users := mailstore.NewUsers("example.test")
	require.NoError(t, users.AddList("alice:secret"))
	srv := &smtp.Server{Domain: "example.test", Backend: &Agent{Domain: "example.test", Users: users, Mailboxes: box}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, smtp.SendMail(ctx, l.Addr().String(), nil, "carol@example.org",
		[]string{"alice@example.test"}, strings.NewReader("Subject: x\r\n\r\nx\r\n"), nil))
	got := <-box.ctxs
	require.NotNil(t, got.Done(), "not context.Background")
	select {
	case <-got.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the session's context was not canceled when it ended")
	}
}
