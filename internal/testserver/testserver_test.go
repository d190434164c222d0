package testserver

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reply is a protocol reply for the table: an error by pointer.
type reply struct{ text string }

// Error returns the text.
func (r *reply) Error() string { return r.text }

var errDrop = errors.New("drop")

// TestCommands: Fail answers until lifted, Drop answers once with the
// drop error, Reset forgets all, and other verbs go to next.
func TestCommands(t *testing.T) {
	var table Commands[string, *reply]
	var passed []string
	next := func(_ int, verb string) error { passed = append(passed, verb); return nil }
	hook := Hook(&table, func(verb string) string { return verb }, errDrop, next)
	busy := &reply{"busy"}
	table.Fail("MAIL", busy)
	table.Drop("RCPT")

	assert.Equal(t, error(busy), hook(0, "MAIL"))
	assert.Equal(t, error(busy), hook(0, "MAIL"), "Fail lasts")
	assert.Equal(t, errDrop, hook(0, "RCPT"))
	assert.NoError(t, hook(0, "RCPT"), "Drop acts once")
	table.Fail("MAIL", nil)
	assert.NoError(t, hook(0, "MAIL"), "Fail(nil) lifts")
	table.Fail("NOOP", busy)
	table.Reset()
	assert.NoError(t, hook(0, "NOOP"))
	assert.Equal(t, []string{"RCPT", "MAIL", "NOOP"}, passed)
	var none func(int, string) error
	assert.NoError(t, Hook(&table, func(v string) string { return v }, errDrop, none)(0, "X"), "no next")
}

// TestLog: Wait is woken by Add, returns what is there, and counts from
// zero again after Reset; a context that ends returns what came so far.
func TestLog(t *testing.T) {
	var l Log[int]
	got := make(chan []int)
	go func() {
		items, _ := l.Wait(context.Background(), 2)
		got <- items
	}()
	l.Add(1)
	l.Add(2)
	assert.Equal(t, []int{1, 2}, <-got)
	assert.Equal(t, []int{1, 2}, l.All())

	l.Reset()
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	l.Add(3)
	items, err := l.Wait(short, 2)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, []int{3}, items)
}

// TestGauge: Wait returns at once when none is open, else when the last
// leaves; after Close, Enter refuses.
func TestGauge(t *testing.T) {
	var g Gauge
	require.NoError(t, g.Wait(context.Background()))
	require.True(t, g.Enter())
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, g.Wait(short), context.DeadlineExceeded)
	done := make(chan error)
	go func() { done <- g.Wait(context.Background()) }()
	g.Close()
	assert.False(t, g.Enter())
	g.Leave()
	assert.NoError(t, <-done)
}

// TestUsers: Each sees every user once, with its latest password.
func TestUsers(t *testing.T) {
	var u Users
	u.Set("alice", "a")
	u.Set("bob", "b")
	u.Set("alice", "c")
	seen := map[string]string{}
	u.Each(func(ctx context.Context, name, password string) {
		assert.NoError(t, ctx.Err())
		seen[name] = password
	})
	assert.Equal(t, map[string]string{"alice": "c", "bob": "b"}, seen)
}

// echoServer is a protocol server for Core: a greeting per connection.
type echoServer struct{ l net.Listener }

// Serve greets each connection with "hi" and closes it, until l closes.
func (e *echoServer) Serve(l net.Listener) error {
	e.l = l
	for {
		nc, err := l.Accept()
		if err != nil {
			return err
		}
		nc.Write([]byte("hi\r\n"))
		nc.Close()
	}
}

// greeting dials addr, with TLS when cfg is not nil, and reads a line.
func greeting(t *testing.T, addr string, cfg *tls.Config) string {
	t.Helper()
	var nc net.Conn
	var err error
	if cfg != nil {
		nc, err = tls.Dial("tcp", addr, cfg)
	} else {
		nc, err = net.Dial("tcp", addr)
	}
	require.NoError(t, err)
	defer nc.Close()
	line, err := bufio.NewReader(nc).ReadString('\n')
	require.NoError(t, err)
	return line
}

// TestCore serves over implicit TLS with the run-time certificate, wraps
// the listener, and Close stops the server, waits for sessions and runs
// once.
func TestCore(t *testing.T) {
	c := New("testing")
	assert.Nil(t, c.ClientTLSConfig())
	assert.Nil(t, c.CertificatePEM())
	conf, err := c.Certificate(true)
	require.NoError(t, err)
	assert.Contains(t, string(c.CertificatePEM()), "BEGIN CERTIFICATE")
	wrapped := false
	wrap := func(l net.Listener) net.Listener { wrapped = true; return l }
	var srv echoServer
	require.NoError(t, c.Serve(conf, wrap, srv.Serve))
	assert.True(t, wrapped)
	assert.Regexp(t, `^127\.0\.0\.1:\d+$`, c.Addr)
	assert.Equal(t, "hi\r\n", greeting(t, c.Addr, c.ClientTLSConfig()))

	require.True(t, c.Enter())
	stops := 0
	closed := make(chan struct{})
	go func() {
		c.Close(func() { stops++; srv.l.Close() })
		close(closed)
	}()
	<-c.Closing()
	assert.False(t, c.Enter(), "no session starts once Close began")
	select {
	case <-closed:
		t.Fatal("Close returned with a session open")
	case <-time.After(20 * time.Millisecond):
	}
	c.Leave()
	<-closed
	c.Close(func() { stops++ })
	assert.Equal(t, 1, stops)
}

// TestCoreWithoutTLS: no certificate, plain listener; errors name the
// package.
func TestCoreWithoutTLS(t *testing.T) {
	c := New("testing")
	conf, err := c.Certificate(false)
	require.NoError(t, err)
	require.Nil(t, conf)
	var srv echoServer
	require.NoError(t, c.Serve(nil, nil, srv.Serve))
	assert.Equal(t, "hi\r\n", greeting(t, c.Addr, nil))
	c.Close(func() { srv.l.Close() })
}

// TestSettings: Configure applies the options in order; Implicit and
// Secure follow the flags; Tweak runs the WithServer functions.
func TestSettings(t *testing.T) {
	type server struct{ n int }
	type config struct{ Settings[server] }
	type option func(*config)
	st := Configure([]option{
		func(c *config) { c.TLS = true },
		func(c *config) { c.Tweaks = append(c.Tweaks, func(s *server) { s.n++ }) },
		func(c *config) { c.Tweaks = append(c.Tweaks, func(s *server) { s.n *= 10 }) },
	})
	assert.True(t, st.Secure())
	conf := &tls.Config{}
	assert.Nil(t, st.Implicit(conf))
	st.ImplicitTLS = true
	assert.Same(t, conf, st.Implicit(conf))
	var s server
	st.Tweak(&s)
	assert.Equal(t, 10, s.n)
	assert.False(t, Configure([]option(nil)).Secure())
}

// closer is a started server that notes its Close.
type closer struct{ closed *bool }

// Close notes the call.
func (c closer) Close() { *c.closed = true }

// TestNewServer: NewServer fails the test when the server cannot start,
// and closes it on cleanup otherwise.
func TestNewServer(t *testing.T) {
	closed := false
	t.Run("starts", func(t *testing.T) {
		start := func(opts ...int) (closer, error) {
			assert.Equal(t, []int{1, 2}, opts)
			return closer{&closed}, nil
		}
		NewServer(t, start, []int{1, 2})
		assert.False(t, closed)
	})
	assert.True(t, closed, "closed on cleanup")

	fake := &fatalTB{TB: t}
	func() {
		defer func() { recover() }()
		NewServer(fake, func(...int) (closer, error) { return closer{}, errors.New("no port") }, nil)
	}()
	assert.Equal(t, "no port", fake.fatal)
}

// fatalTB records Fatal instead of failing the real test.
type fatalTB struct {
	testing.TB
	fatal string
}

// Helper does nothing.
func (f *fatalTB) Helper() {}

// Fatal records the error and ends the call as t.Fatal would.
func (f *fatalTB) Fatal(args ...any) {
	f.fatal = args[0].(error).Error()
	panic("fatal")
}
