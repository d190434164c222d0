package transcript

import (
	"cmp"
	"crypto/tls"
	"net"
	"testing"
	"time"
)

// Client plays the server's side of a package's client transcripts.
type Client struct {
	TLS *tls.Config // the server's side of <starttls>; nil if none
	Placeholders
	// Deadline bounds the connection from its start; 0 means
	// DefaultDeadline.
	Deadline time.Duration
}

// Play starts playing file's S: lines on one end of an in-memory
// connection and returns the other end, for the package's client. When
// the test ends it closes that end (after the test's own cleanups, which
// run first, have closed the client) and fails the test if the client
// did not send exactly the file's C: lines.
func (c Client) Play(t testing.TB, file string) net.Conn {
	t.Helper()
	sc, err := ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	client, server := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- c.Serve(server, sc) }()
	t.Cleanup(func() {
		client.Close()
		select {
		case err := <-done:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(cmp.Or(c.Deadline, DefaultDeadline)):
			t.Errorf("%s: not finished at its deadline", file)
		}
	})
	return client
}

// Serve plays sc's server side on nc until its last line or its first
// mismatch, which it returns as an *Error naming the file and line, and
// closes nc.
func (c Client) Serve(nc net.Conn, sc *Script) error {
	deadline := cmp.Or(c.Deadline, DefaultDeadline)
	p := &player{sc: sc, plays: 'S', ph: c.Placeholders, tls: c.TLS, deadline: deadline,
		conns: map[int]*conn{1: newConn(nc, deadline)}}
	return p.run()
}
