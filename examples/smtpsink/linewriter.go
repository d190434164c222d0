package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// lineWriter batches output lines and flushes them shortly after they are
// written, so that a sink receiving thousands of messages a second makes a
// few writes a second to its log rather than one per message.
type lineWriter struct {
	mu    sync.Mutex
	w     *bufio.Writer
	delay time.Duration
	timer *time.Timer // armed while unflushed lines wait
}

func newLineWriter(w io.Writer, delay time.Duration) *lineWriter {
	return &lineWriter{w: bufio.NewWriterSize(w, 64<<10), delay: delay}
}

// WriteLine queues line and a newline.
func (l *lineWriter) WriteLine(line []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.Write(line)
	l.w.WriteByte('\n')
	if l.timer == nil {
		l.timer = time.AfterFunc(l.delay, l.flush)
	}
}

func (l *lineWriter) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.timer = nil
	l.w.Flush()
}

// Close writes what is queued.
func (l *lineWriter) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	l.w.Flush()
}
