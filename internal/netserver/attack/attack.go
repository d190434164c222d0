// Package attack is what the servers' tests of issue 11 play against a
// server: many connections guessing passwords from one client address,
// connections from chosen addresses of 127/8 (Linux routes all of it to
// the loopback interface), and a client that trickles its input a byte
// at a time.
package attack

import (
	"bufio"
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// DialFrom connects to addr from the local address ip, with a generous
// deadline that only guards the test against a hang, and closes the
// connection when t ends.
func DialFrom(t testing.TB, ip, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s from %s: %v", addr, ip, err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	return nc, bufio.NewReader(nc)
}

// A Guesser plays one connection: it reads the greeting, then sends wrong
// credentials again and again, calling failed for each failure the server
// answers, and returns once the connection fails or is closed.
type Guesser func(nc net.Conn, br *bufio.Reader, failed func())

// Flood runs conns connections from ip to addr at once, each running
// guess, each opened again whenever the server closed it, for window. It
// returns the failures answered within the window, so that a test can
// bound the rate of answered guesses. When it returns every connection
// is closed.
func Flood(addr, ip string, conns int, window time.Duration, guess Guesser) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), window)
	defer cancel()
	var answered atomic.Int64
	failed := func() {
		if ctx.Err() == nil {
			answered.Add(1)
		}
	}
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				nc, err := d.DialContext(ctx, "tcp", addr)
				if err != nil {
					continue
				}
				stop := context.AfterFunc(ctx, func() { nc.Close() })
				guess(nc, bufio.NewReader(nc), failed)
				stop()
				nc.Close()
			}
		}()
	}
	wg.Wait()
	return answered.Load()
}

// Trickle sends data one byte per interval on nc, whose replies br
// reads, until the server closes the connection or data is all sent; then
// it closes nc. It returns how many bytes were sent, whether the server
// closed the connection first, and the last line the server sent.
func Trickle(nc net.Conn, br *bufio.Reader, data string, interval time.Duration) (sent int, cut bool, last string) {
	closed := make(chan struct{})
	var lastLine atomic.Value
	lastLine.Store("")
	go func() {
		defer close(closed)
		for {
			line, err := br.ReadString('\n')
			if line != "" {
				lastLine.Store(line)
			}
			if err != nil {
				return
			}
		}
	}()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for sent < len(data) && !cut {
		select {
		case <-closed:
			cut = true
			continue
		case <-tick.C:
		}
		if _, err := nc.Write([]byte{data[sent]}); err != nil {
			cut = true
			continue
		}
		sent++
	}
	if !cut {
		// Let the replies to the last bytes arrive, then see whether the
		// server is still there.
		time.Sleep(2 * interval)
		select {
		case <-closed:
			cut = true
		default:
		}
	}
	nc.Close()
	<-closed
	return sent, cut, lastLine.Load().(string)
}
