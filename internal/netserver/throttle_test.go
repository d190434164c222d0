package netserver

import (
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeClock is a settable clock for FailureDelay.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newDelay(base, max time.Duration, addrs int) (*FailureDelay, *fakeClock) {
	clock := &fakeClock{t: time.Unix(1_000_000, 0)}
	return &FailureDelay{Base: base, Max: max, Reset: time.Minute, MaxAddrs: addrs, Now: clock.Now}, clock
}

func key(s string) AddrKey { return KeyOf(&net.TCPAddr{IP: net.ParseIP(s), Port: 1}) }

// TestFailureDelay_DoublesUpToMax_RFC9051_11_7: each failure of one client
// doubles its delay, up to Max.
func TestFailureDelay_DoublesUpToMax_RFC9051_11_7(t *testing.T) {
	f, clock := newDelay(time.Second, 4*time.Second, 0)
	var got []time.Duration
	for range 5 {
		at, d := f.Fail(key("192.0.2.1"))
		require.Equal(t, clock.Now().Add(d), at, "answered delay after now when nothing is queued")
		got = append(got, d)
		clock.advance(d) // the client waits for each answer
	}
	require.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second}, got)
}

// TestFailureDelay_ParallelFailuresQueue: failures sent at once on many
// connections are answered one after the other, so over any window one
// client gets no more answers than the window holds delays.
func TestFailureDelay_ParallelFailuresQueue(t *testing.T) {
	const base = 20 * time.Millisecond
	f, clock := newDelay(base, base, 0)
	start := clock.Now()
	var last time.Time
	answered := 0
	for range 50 { // 50 connections, one guess each, all at once
		at, _ := f.Fail(key("192.0.2.1"))
		require.GreaterOrEqual(t, at.Sub(last), base, "answers of one client are spaced by the delay")
		last = at
		if at.Sub(start) <= 500*time.Millisecond {
			answered++
		}
	}
	require.Equal(t, 25, answered, "500 ms hold 25 delays of 20 ms")

	// Another client is not queued behind it.
	at, d := f.Fail(key("192.0.2.2"))
	require.Equal(t, base, d)
	require.Equal(t, start.Add(base), at)
}

// TestFailureDelay_SuccessResetsDoublingNotQueue: a login that succeeds
// starts the doubling over, but answers already queued stay queued.
func TestFailureDelay_SuccessResetsDoublingNotQueue(t *testing.T) {
	f, clock := newDelay(time.Second, time.Hour, 0)
	k := key("192.0.2.1")
	f.Fail(k)
	at, d := f.Fail(k) // queued behind the first: 1 s + 2 s
	require.Equal(t, 2*time.Second, d)
	require.Equal(t, clock.Now().Add(3*time.Second), at)
	f.Succeed(k)
	at, d = f.Fail(k)
	require.Equal(t, time.Second, d, "the doubling starts over")
	require.Equal(t, clock.Now().Add(4*time.Second), at, "behind the answers already queued")

	// Once nothing is queued a success forgets the client.
	clock.advance(5 * time.Second)
	f.Succeed(k)
	require.Equal(t, 0, f.Len())
}

// TestFailureDelay_QuietClientForgotten: a client quiet for Reset after
// its last answer starts over at Base.
func TestFailureDelay_QuietClientForgotten(t *testing.T) {
	f, clock := newDelay(time.Second, time.Hour, 0)
	k := key("192.0.2.1")
	f.Fail(k)
	f.Fail(k)
	clock.advance(3*time.Second + time.Minute - time.Nanosecond)
	_, d := f.Fail(k)
	require.Equal(t, 4*time.Second, d, "not yet quiet for Reset")
	clock.advance(4*time.Second + time.Minute)
	_, d = f.Fail(k)
	require.Equal(t, time.Second, d, "quiet for Reset: forgotten")
}

// TestFailureDelay_MaxAddrs: at the limit every client is remembered; one
// past it the client whose last failure is oldest is forgotten.
func TestFailureDelay_MaxAddrs(t *testing.T) {
	f, clock := newDelay(time.Second, time.Hour, 3)
	for _, a := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"} {
		f.Fail(key(a))
		clock.advance(time.Millisecond)
	}
	require.Equal(t, 3, f.Len())
	_, d := f.Fail(key("192.0.2.1")) // remembered: doubled; now the newest
	require.Equal(t, 2*time.Second, d)

	f.Fail(key("192.0.2.4")) // one past the limit: .2 is the oldest
	require.Equal(t, 3, f.Len())
	_, d = f.Fail(key("192.0.2.2"))
	require.Equal(t, time.Second, d, "the oldest was forgotten")
	require.Equal(t, 3, f.Len())
	_, d = f.Fail(key("192.0.2.4"))
	require.Equal(t, 2*time.Second, d, "the newest was kept")
}

// TestFailureDelay_Off: a FailureDelay without a Base, or none at all,
// answers at once and remembers nothing.
func TestFailureDelay_Off(t *testing.T) {
	var off FailureDelay
	at, d := off.Fail(key("192.0.2.1"))
	require.True(t, at.IsZero())
	require.Zero(t, d)
	require.Zero(t, off.Len())
	var none *FailureDelay
	at, _ = none.Fail(key("192.0.2.1"))
	require.True(t, at.IsZero())
	none.Succeed(key("192.0.2.1"))
}

// TestKeyOf: IPv4 addresses are clients of their own, IPv6 ones count by
// /64 (RFC 4291 section 2.5.4), mapped IPv4 counts as IPv4, other
// networks share a key.
func TestKeyOf(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"192.0.2.1", "192.0.2.1", true},
		{"192.0.2.1", "192.0.2.2", false},
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9", true},
		{"2001:db8:1:2::1", "2001:db8:1:3::1", false},
		{"::ffff:192.0.2.1", "192.0.2.1", true},
		{"fe80::1%eth0", "fe80::2%eth1", true},
	} {
		require.Equal(t, tc.same, key(tc.a) == key(tc.b), "%s %s", tc.a, tc.b)
	}
	require.Equal(t, "2001:db8:1:2::/64", key("2001:db8:1:2::1").String())
	require.Equal(t, "192.0.2.1", key("::ffff:192.0.2.1").String())
	unix1 := KeyOf(&net.UnixAddr{Name: "@a", Net: "unix"})
	unix2 := KeyOf(&net.UnixAddr{Name: "@b", Net: "unix"})
	require.Equal(t, unix1, unix2)
	require.Equal(t, "unix", unix1.String())
	require.NotEqual(t, unix1, key("192.0.2.1"))
	require.Equal(t, AddrKey{}, KeyOf(nil))
	// A net.Addr of another type is parsed from its string.
	require.Equal(t, key("192.0.2.7"), KeyOf(strAddr("192.0.2.7:25")))
}

type strAddr string

func (a strAddr) Network() string { return "tcp" }
func (a strAddr) String() string  { return string(a) }
