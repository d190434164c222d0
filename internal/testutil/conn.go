package testutil

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// ScriptConn is a net.Conn whose peer is a script: Read reads R, Write
// takes and drops whatever it is given, Close and the deadlines do
// nothing, and both ends are loopback addresses, so that a client treats
// it as a server on this host. A fuzz target hands its input to a client
// this way.
type ScriptConn struct {
	// R is what the peer sends; its end is the end of the connection.
	R io.Reader
}

// loopback is the address of both ends of a ScriptConn.
var loopback = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}

// Read reads from R.
func (c *ScriptConn) Read(p []byte) (int, error) { return c.R.Read(p) }

// Write drops p and reports it written.
func (c *ScriptConn) Write(p []byte) (int, error) { return len(p), nil }

// Close does nothing.
func (c *ScriptConn) Close() error { return nil }

// LocalAddr is 127.0.0.1.
func (c *ScriptConn) LocalAddr() net.Addr { return loopback }

// RemoteAddr is 127.0.0.1.
func (c *ScriptConn) RemoteAddr() net.Addr { return loopback }

// SetDeadline does nothing: a script never blocks.
func (c *ScriptConn) SetDeadline(time.Time) error { return nil }

// SetReadDeadline does nothing.
func (c *ScriptConn) SetReadDeadline(time.Time) error { return nil }

// SetWriteDeadline does nothing.
func (c *ScriptConn) SetWriteDeadline(time.Time) error { return nil }

// ServeOnce listens on a loopback port, hands the first connection to
// serve, which plays the server's part, and returns the address to dial.
// The listener takes no second connection. serve's connection is closed
// once serve returns, and when t ends, which ends a serve still reading;
// t's end then waits for serve to return, so no goroutine outlives the
// test.
func ServeOnce(t testing.TB, serve func(net.Conn)) (addr string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conn  net.Conn // the accepted connection, once there is one
		ended bool     // t has ended
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		nc, err := l.Accept()
		l.Close()
		if err != nil {
			return
		}
		defer nc.Close()
		mu.Lock()
		conn = nc
		if ended {
			nc.Close()
		}
		mu.Unlock()
		serve(nc)
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		ended = true
		if conn != nil {
			conn.Close()
		}
		mu.Unlock()
		<-done
	})
	return l.Addr().String()
}
