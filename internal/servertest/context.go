package servertest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Contexts records what a test backend's calls got for a context: the
// one the session was opened with, and which later calls got that very
// context while it was still live. Make it with NewContexts.
type Contexts struct {
	opened chan context.Context
	live   chan string
}

// NewContexts returns Contexts for one session of up to eight calls.
func NewContexts() *Contexts {
	return &Contexts{opened: make(chan context.Context, 1), live: make(chan string, 8)}
}

// Opened records ctx as the session's: the backend's call that opens a
// session calls it.
func (c *Contexts) Opened(ctx context.Context) { c.opened <- ctx }

// Called records the call name if its ctx is session, still live.
func (c *Contexts) Called(session, ctx context.Context, name string) {
	if ctx == session && ctx.Err() == nil {
		c.live <- name
	}
}

// Check requires that the calls names, and only they, got the session's
// context while it was live, in that order, and that it is canceled once
// the connection ended.
func (c *Contexts) Check(t *testing.T, names ...string) {
	t.Helper()
	ctx := <-c.opened
	for _, name := range names {
		require.Equal(t, name, <-c.live)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the session's context was not canceled")
	}
	require.Empty(t, c.live, "more calls got the live context")
}
