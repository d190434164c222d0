package ctxio

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBegin_CancelUnblocksRead(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
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
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	end, err := Begin(ctx, a)
	require.NoError(t, err)
	defer end()
	_, err = a.Read(make([]byte, 1))
	require.ErrorIs(t, Explain(ctx, "test", err), context.DeadlineExceeded)
}

func TestBegin_DoneContext(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
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
