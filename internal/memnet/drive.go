package memnet

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"
)

// ErrTimeout is returned by Script.Run when the session outlived the
// script's Timeout: the server hung, or never closed.
var ErrTimeout = errors.New("memnet: session did not end in time")

// Script is a client's side of one session, played by Run.
type Script struct {
	// Segments are written in order. Before each one Run waits until the
	// connection is quiet (both ends wait in Read), so a segment is
	// pipelined as a whole but sent only once the server has answered
	// everything before it. A STARTTLS or STLS command should end its
	// segment, so that the upgrade can happen before what follows.
	Segments [][]byte
	// Read consumes what the server sends, from the start or from a TLS
	// upgrade on, in a goroutine of its own. It returns at the end of the
	// stream, with the first violation it found, or with startTLS set as
	// soon as it read the server's go-ahead for a TLS handshake (the 220
	// to STARTTLS, the +OK to STLS), having read nothing after it.
	Read func(r io.Reader) (startTLS bool, err error)
	// TLS is the client configuration for the upgrades Read asks for.
	TLS *tls.Config
	// Timeout bounds the whole session: Run closes both ends then and
	// returns ErrTimeout.
	Timeout time.Duration
}

type readResult struct {
	startTLS bool
	err      error
}

// Run plays the script on the client end c: it writes the segments,
// upgrades to TLS when Read asks, shuts its sending side once all is
// written (so the server reads EOF), and returns once Read saw the end of
// the stream, with Read's error, a failed client handshake or ErrTimeout.
func (s Script) Run(c *Conn) error {
	var timedOut atomic.Bool
	timer := time.AfterFunc(s.Timeout, func() {
		timedOut.Store(true)
		c.Close()
		c.Peer().Close()
	})
	defer timer.Stop()
	defer c.Close()
	err := s.run(c)
	if timedOut.Load() {
		return ErrTimeout
	}
	return err
}

func (s Script) run(c *Conn) error {
	done := make(chan readResult, 1)
	start := func(r io.Reader) {
		go func() {
			tls, err := s.Read(r)
			done <- readResult{tls, err}
		}()
	}
	var conn net.Conn = c
	start(conn)
	for _, seg := range s.Segments {
		next, over, err := s.await(c, conn, done, start)
		if over {
			return err // the session ended before its input did
		}
		conn = next
		if _, err := conn.Write(seg); err != nil {
			break // the server closed; Read sees the end
		}
	}
	if tc, ok := conn.(*tls.Conn); ok {
		tc.CloseWrite() // close_notify: EOF for the server's TLS layer
	}
	c.CloseWrite()
	res := <-done
	if res.startTLS && res.err == nil {
		// The input ended before the handshake could start: the server
		// reads EOF where it expected a ClientHello and must close.
		_, err := io.Copy(io.Discard, c)
		return err
	}
	return res.err
}

// await waits until the connection is quiet, doing the TLS handshakes
// Read asks for meanwhile, and returns the connection to write on. over
// is set when Read returned for good.
func (s Script) await(c *Conn, conn net.Conn, done <-chan readResult, start func(io.Reader)) (net.Conn, bool, error) {
	for {
		select {
		case <-c.Quiet():
			return conn, false, nil
		case res := <-done:
			if res.err != nil || !res.startTLS {
				return conn, true, res.err
			}
			tc := tls.Client(c, s.TLS)
			if err := tc.Handshake(); err != nil {
				return conn, true, fmt.Errorf("memnet: client TLS handshake: %w", err)
			}
			conn = tc
			start(conn)
		}
	}
}
