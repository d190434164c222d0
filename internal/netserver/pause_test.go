package netserver

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pipeDeadlines returns Deadlines on one end of a pipe and the other end.
func pipeDeadlines(t *testing.T, readTimeout time.Duration) (*Deadlines, net.Conn) {
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	return NewDeadlines(a, readTimeout, time.Second, func() bool { return false }), b
}

// pauseResult runs Pause(until) in a goroutine.
func pauseResult(d *Deadlines, until time.Time) <-chan bool {
	done := make(chan bool, 1)
	go func() { done <- d.Pause(until) }()
	return done
}

// waitResult returns what Pause returned; the timeout only guards
// against a hang.
func waitResult(t *testing.T, done <-chan bool) bool {
	select {
	case ok := <-done:
		return ok
	case <-time.After(5 * time.Second):
		t.Fatal("Pause did not return")
		return false
	}
}

func TestPause_ReachesItsTime(t *testing.T) {
	d, _ := pipeDeadlines(t, time.Minute)
	require.True(t, waitResult(t, pauseResult(d, time.Now().Add(10*time.Millisecond))))
	require.True(t, d.Pause(time.Now().Add(-time.Second)), "a time passed: at once")
}

// TestPause_EndsEarly: Close and Shutdown (CloseNow, InterruptIfIdle) and
// the login deadline end a pause of an hour, which then reports false.
func TestPause_EndsEarly(t *testing.T) {
	hour := time.Now().Add(time.Hour)
	for name, stop := range map[string]func(*Deadlines){
		"CloseNow":        (*Deadlines).CloseNow,
		"InterruptIfIdle": (*Deadlines).InterruptIfIdle,
	} {
		t.Run(name, func(t *testing.T) {
			d, _ := pipeDeadlines(t, time.Minute)
			done := pauseResult(d, hour)
			time.Sleep(10 * time.Millisecond)
			stop(d)
			require.False(t, waitResult(t, done))
			require.False(t, d.Pause(hour), "and every later pause")
		})
	}
	t.Run("login deadline", func(t *testing.T) {
		d, _ := pipeDeadlines(t, time.Minute)
		d.SetLoginDeadline(time.Now().Add(20 * time.Millisecond))
		require.False(t, waitResult(t, pauseResult(d, hour)))
		require.True(t, d.LoginExpired())
	})
}

// TestFailedLogin_PausesPerClient: FailedLogin waits for the client's
// turn in the FailureDelay; with the delay off it does not wait.
func TestFailedLogin_PausesPerClient(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	nc, err := net.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	defer nc.Close()
	d := NewDeadlines(nc, time.Minute, time.Minute, func() bool { return false })
	require.True(t, d.FailedLogin(&FailureDelay{}))

	f := &FailureDelay{Base: time.Hour, Max: time.Hour, Reset: time.Hour}
	done := make(chan bool, 1)
	go func() { done <- d.FailedLogin(f) }()
	require.Eventually(t, func() bool { return f.Len() == 1 }, 5*time.Second, time.Millisecond, "the failure is counted")
	d.CloseNow()
	require.False(t, waitResult(t, done))
}

// TestDeadlines_LoginDeadlineIsAbsolute: input that keeps arriving does
// not extend the login deadline, as it does the read timeout.
func TestDeadlines_LoginDeadlineIsAbsolute(t *testing.T) {
	d, peer := pipeDeadlines(t, time.Minute)
	d.SetLoginDeadline(time.Now().Add(100 * time.Millisecond))
	go func() {
		for range 100 { // 5 s of trickle at most
			if _, err := peer.Write([]byte("x")); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	n := 0
	var err error
	for err == nil {
		var b [1]byte
		_, err = d.Read(b[:])
		if err == nil {
			n++
		}
	}
	require.True(t, IsTimeout(err), "%v", err)
	require.LessOrEqual(t, n, 10, "cut off at the deadline, not after the trickle")
	require.True(t, d.LoginExpired())

	d.SetLoginDeadline(time.Time{})
	require.False(t, d.LoginExpired(), "cleared after login")
}

// TestDeadlines_EvictIfIdle: only an idle session is evicted; its blocked
// read and every later one return ErrEvicted.
func TestDeadlines_EvictIfIdle(t *testing.T) {
	d, _ := pipeDeadlines(t, time.Minute)
	require.False(t, d.EvictIfIdle(), "busy with a command")
	d.SetIdle(true)
	errc := make(chan error, 1)
	go func() {
		_, err := d.Read(make([]byte, 1))
		errc <- err
	}()
	time.Sleep(10 * time.Millisecond)
	require.True(t, d.EvictIfIdle())
	select {
	case err := <-errc:
		require.ErrorIs(t, err, ErrEvicted)
	case <-time.After(5 * time.Second):
		t.Fatal("the blocked read was not interrupted")
	}
	_, err := d.Read(make([]byte, 1))
	require.ErrorIs(t, err, ErrEvicted)
	_, err = io.ReadAll(d)
	require.ErrorIs(t, err, ErrEvicted)
}
