package netserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeServer has the limit fields of a protocol's Server.
type fakeServer struct {
	Limits
	MaxSize int64
	MaxDays int
}

// fakeLimits are its resolved limits: the shared ones and two of its own,
// one of which a negative value removes.
type fakeLimits struct {
	Limits
	MaxSize int64 `negative:"off"`
	MaxDays int
}

// TestResolve: a zero field takes the protocol's default, or the shared
// one where the protocol has none; a value above zero stays; a negative
// one takes the default, except in the fields tagged negative:"off",
// where it resolves to 0.
func TestResolve(t *testing.T) {
	def := fakeLimits{Limits: Limits{MaxLineLength: 100, CommandTimeout: time.Minute}, MaxSize: 1000, MaxDays: 7}
	var got fakeLimits
	Resolve(&got, &fakeServer{}, def)
	require.Equal(t, 100, got.MaxLineLength)
	require.Equal(t, time.Minute, got.CommandTimeout)
	require.Equal(t, DefaultMaxConnections, got.MaxConnections, "shared")
	require.Equal(t, DefaultAuthFailureDelay, got.AuthFailureDelay, "shared")
	require.Equal(t, DefaultMaxAuthLineLength, got.MaxAuthLineLength, "shared")
	require.Equal(t, int64(1000), got.MaxSize)
	require.Equal(t, 7, got.MaxDays)

	srv := &fakeServer{MaxSize: 5, MaxDays: 3}
	srv.MaxLineLength, srv.WriteTimeout = 50, time.Second
	Resolve(&got, srv, def)
	require.Equal(t, 50, got.MaxLineLength)
	require.Equal(t, time.Second, got.WriteTimeout)
	require.Equal(t, int64(5), got.MaxSize)
	require.Equal(t, 3, got.MaxDays)

	srv = &fakeServer{MaxSize: -1, MaxDays: -1}
	srv.MaxConnectionsPerAddr, srv.AuthFailureDelay, srv.MaxConnections = -1, -1, -1
	Resolve(&got, srv, def)
	require.Zero(t, got.MaxSize, "negative:\"off\"")
	require.Zero(t, got.MaxConnectionsPerAddr, "negative:\"off\"")
	require.Zero(t, got.AuthFailureDelay, "negative:\"off\"")
	require.Equal(t, 7, got.MaxDays, "negative takes the default")
	require.Equal(t, DefaultMaxConnections, got.MaxConnections, "negative takes the default")

	require.Panics(t, func() { Resolve(&got, &struct{ Limits }{}, def) }, "a Server without MaxSize")
}
