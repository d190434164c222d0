// Package memnet is an in-memory network for the tests and fuzz targets of
// the protocol servers: a connection pair that behaves as TCP does where
// the servers rely on it (buffered writes, half-close, deadlines), a
// listener that hands such connections to Serve, and a driver that plays a
// client's input against a server and knows when both ends wait for each
// other, so that a test can tell "the server has answered all it was sent"
// from "the server is still working" without a timer.
package memnet

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// BufferSize is how many octets one direction holds before Write blocks,
// as a socket buffer would; it bounds the memory of a connection.
const BufferSize = 64 << 10

// Conn is one end of a connection made by Pipe. It is a net.Conn, and
// also offers CloseWrite, which shuts the sending side only (the peer
// reads io.EOF once it has read what was sent), as *net.TCPConn does.
type Conn struct {
	p  *pair
	me int // 0 for the client end, 1 for the server end
}

// pair is the state both ends share, under one lock.
type pair struct {
	mu    sync.Mutex
	cond  *sync.Cond
	sent  [2][]byte // sent[i] holds what end i wrote and the peer has not read
	shut  [2]bool   // end i sends no more (CloseWrite or Close)
	ends  [2]endState
	quiet []chan struct{} // closed once both ends wait in Read
}

type endState struct {
	closed                bool
	waiting               bool // blocked in Read with nothing to read
	readDL, writeDL       time.Time
	readTimer, writeTimer *time.Timer
}

// Pipe returns the two ends of a new connection.
func Pipe() (client, server *Conn) {
	p := &pair{}
	p.cond = sync.NewCond(&p.mu)
	return &Conn{p: p, me: 0}, &Conn{p: p, me: 1}
}

// Peer returns the other end of the connection.
func (c *Conn) Peer() *Conn { return &Conn{p: c.p, me: 1 - c.me} }

func expired(deadline time.Time) bool {
	return !deadline.IsZero() && !time.Now().Before(deadline)
}

// Read reads what the peer sent. It blocks until there is data, the peer
// shut its side (io.EOF), this end is closed (net.ErrClosed) or the read
// deadline passes (os.ErrDeadlineExceeded, a net.Error whose Timeout is
// true).
func (c *Conn) Read(b []byte) (int, error) {
	p := c.p
	p.mu.Lock()
	defer p.mu.Unlock()
	e := &p.ends[c.me]
	peer := 1 - c.me
	for {
		switch {
		case e.closed:
			return 0, net.ErrClosed
		case len(p.sent[peer]) > 0:
			n := copy(b, p.sent[peer])
			p.sent[peer] = p.sent[peer][n:]
			p.cond.Broadcast()
			return n, nil
		case p.shut[peer]:
			return 0, io.EOF
		case expired(e.readDL):
			return 0, os.ErrDeadlineExceeded
		}
		e.waiting = true
		p.checkQuiet()
		p.cond.Wait()
		e.waiting = false
	}
}

// Write sends b, blocking while BufferSize octets wait unread. It fails
// once either end is closed or this end shut its side (net.ErrClosed, or
// io.ErrClosedPipe when the peer is gone, as a reset would), or the write
// deadline passes.
func (c *Conn) Write(b []byte) (int, error) {
	p := c.p
	p.mu.Lock()
	defer p.mu.Unlock()
	e := &p.ends[c.me]
	n := 0
	for {
		switch {
		case e.closed || p.shut[c.me]:
			return n, net.ErrClosed
		case p.ends[1-c.me].closed:
			return n, io.ErrClosedPipe
		case expired(e.writeDL):
			return n, os.ErrDeadlineExceeded
		case len(b) == 0:
			return n, nil
		}
		if space := BufferSize - len(p.sent[c.me]); space > 0 {
			k := min(space, len(b))
			p.sent[c.me] = append(p.sent[c.me], b[:k]...)
			b, n = b[k:], n+k
			p.cond.Broadcast()
			continue
		}
		p.cond.Wait()
	}
}

// CloseWrite shuts the sending side: the peer reads what was sent, then
// io.EOF. Reading goes on.
func (c *Conn) CloseWrite() error {
	p := c.p
	p.mu.Lock()
	defer p.mu.Unlock()
	p.shut[c.me] = true
	p.cond.Broadcast()
	return nil
}

// Close closes this end: its reads and writes fail, the peer reads io.EOF
// after what was sent, and the peer's writes fail.
func (c *Conn) Close() error {
	p := c.p
	p.mu.Lock()
	defer p.mu.Unlock()
	e := &p.ends[c.me]
	e.closed = true
	p.shut[c.me] = true
	for _, t := range []*time.Timer{e.readTimer, e.writeTimer} {
		if t != nil {
			t.Stop()
		}
	}
	p.cond.Broadcast()
	return nil
}

// Quiet returns a channel that is closed once both ends wait in Read with
// nothing to read: each has read all the other sent, and neither has more
// to say until it hears from the other. Ends that are closed never get
// quiet.
func (c *Conn) Quiet() <-chan struct{} {
	p := c.p
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := make(chan struct{})
	p.quiet = append(p.quiet, ch)
	p.checkQuiet()
	return ch
}

func (p *pair) checkQuiet() {
	for i := range 2 {
		// A waiting end that has data or EOF to read has been woken and
		// has not run yet: it is not waiting for its peer.
		if !p.ends[i].waiting || len(p.sent[1-i]) > 0 || p.shut[1-i] {
			return
		}
	}
	for _, ch := range p.quiet {
		close(ch)
	}
	p.quiet = nil
}

// wake makes blocked calls look at their deadlines again.
func (p *pair) wake() {
	p.mu.Lock()
	p.cond.Broadcast()
	p.mu.Unlock()
}

// SetDeadline sets both deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

// SetReadDeadline sets the time after which Read fails with
// os.ErrDeadlineExceeded; the zero time means none.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.setDeadline(t, true) }

// SetWriteDeadline sets the time after which Write fails with
// os.ErrDeadlineExceeded; the zero time means none.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.setDeadline(t, false) }

// setDeadline records a read or write deadline of this end and arms the
// timer that wakes a blocked call when it passes.
func (c *Conn) setDeadline(t time.Time, read bool) error {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	e := &c.p.ends[c.me]
	if read {
		e.readDL, e.readTimer = t, c.p.rearm(e.readTimer, t)
	} else {
		e.writeDL, e.writeTimer = t, c.p.rearm(e.writeTimer, t)
	}
	return nil
}

// rearm replaces a deadline's timer; blocked calls are woken now, so that
// a deadline in the past takes effect at once, and again when t comes.
func (p *pair) rearm(old *time.Timer, t time.Time) *time.Timer {
	if old != nil {
		old.Stop()
	}
	p.cond.Broadcast()
	if t.IsZero() {
		return nil
	}
	return time.AfterFunc(time.Until(t), p.wake)
}

// Addr is the address of either end: "client" or "server".
type Addr string

// Network returns "memnet".
func (Addr) Network() string { return "memnet" }

// String returns the end's name, "client" or "server".
func (a Addr) String() string { return string(a) }

var names = [2]Addr{"client", "server"}

// LocalAddr returns this end's name.
func (c *Conn) LocalAddr() net.Addr { return names[c.me] }

// RemoteAddr returns the peer's name.
func (c *Conn) RemoteAddr() net.Addr { return names[1-c.me] }
