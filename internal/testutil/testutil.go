// Package testutil holds the small helpers that the tests of several
// packages of this module share, so each exists once.
//
// It is test support: only _test.go files import it (a test in
// internal/transcript fails if any other file does), so nothing here is
// part of the library.
package testutil

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"
)

// ContextTimeout bounds the context Context returns. It is long enough for
// the slowest peer a test starts (Dovecot, Python) on a loaded two-core CI
// machine; it exists so that a hung peer fails the test instead of
// blocking it until go test's own ten-minute timeout.
const ContextTimeout = 60 * time.Second

// Context returns a context that ends after ContextTimeout or when the test
// ends, whichever comes first.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), ContextTimeout)
	t.Cleanup(cancel)
	return ctx
}

// LockedBuffer is a bytes.Buffer that a server's or a client's goroutines
// may write while the test reads it: the Debug writer of a test.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p under the lock.
func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was written so far.
func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
