package testutil

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestContextBounded checks that the context has a deadline no later than
// ContextTimeout from now and ends with the test.
func TestContextBounded(t *testing.T) {
	var ctx interface {
		Deadline() (time.Time, bool)
		Done() <-chan struct{}
	}
	t.Run("inner", func(t *testing.T) {
		ctx = Context(t)
		deadline, ok := ctx.Deadline()
		require.True(t, ok)
		assert.WithinDuration(t, time.Now().Add(ContextTimeout), deadline, ContextTimeout/2)
		select {
		case <-ctx.Done():
			t.Fatal("context ended before the test")
		default:
		}
	})
	select {
	case <-ctx.Done():
	default:
		t.Fatal("context still live after its test ended")
	}
}

// TestLockedBufferConcurrent writes from several goroutines (run under
// -race) and checks that every write arrived whole.
func TestLockedBufferConcurrent(t *testing.T) {
	var b LockedBuffer
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				fmt.Fprintf(&b, "%d\n", i)
				_ = b.String()
			}
		}()
	}
	wg.Wait()
	assert.Len(t, b.String(), 8*100*2)
}
