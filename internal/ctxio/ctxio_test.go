package ctxio

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBegin_CancelUnblocksRead(t *testing.T) {
	a := pipe(t)
	ctx, cancel := context.WithCancel(context.Background())
	end, err := Begin(ctx, a)
	require.NoError(t, err)
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = a.Read(make([]byte, 1))
	require.Error(t, err)
	end()
	err = Explain(ctx, "test", err)
	require.ErrorIs(t, err, context.Canceled)
}

func TestBegin_DeadlineBecomesConnDeadline(t *testing.T) {
	a := pipe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	end, err := Begin(ctx, a)
	require.NoError(t, err)
	defer end()
	_, err = a.Read(make([]byte, 1))
	require.ErrorIs(t, Explain(ctx, "test", err), context.DeadlineExceeded)
}

func TestBegin_DoneContext(t *testing.T) {
	a := pipe(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Begin(ctx, a)
	require.ErrorIs(t, err, context.Canceled)
}

func TestBegin_EndClearsForNextCall(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	end, err := Begin(ctx, a)
	require.NoError(t, err)
	end()
	cancel() // after end, cancelling must not touch the connection
	end2, err := Begin(context.Background(), a)
	require.NoError(t, err)
	defer end2()
	go b.Write([]byte("x"))
	n, err := a.Read(make([]byte, 1))
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

func TestCalls_FailIsSticky(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	failed := 0
	g := Calls{Prefix: "test", OnFail: func() { failed++ }}
	first := errors.New("first")
	require.ErrorIs(t, g.Do(context.Background(), a, func() error { return g.Fail(first, a) }), first)
	require.ErrorIs(t, g.Fail(errors.New("second"), a), first)
	require.ErrorIs(t, g.Begin(context.Background(), a), first)
	require.Equal(t, 1, failed)
	_, err := a.Write([]byte("x"))
	require.ErrorIs(t, err, io.ErrClosedPipe, "Fail closes the connection")
}

func TestCalls_DoneContextBreaksNothing(t *testing.T) {
	a := pipe(t)
	var g Calls
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, g.Begin(ctx, a), context.Canceled)
	require.NoError(t, g.Err())
}

// pipe returns one end of a net.Pipe; both ends are closed when t ends.
func pipe(t *testing.T) net.Conn {
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	return a
}
