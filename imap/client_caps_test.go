package imap

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClientCaps_RFC3501_7_2_1 replays capabilities.txt: Caps and Supports
// answer from what the server said, never with a command of their own (the
// transcript holds every line the client sends), and Capability asks.
func TestClientCaps_RFC3501_7_2_1(t *testing.T) {
	ctx := testCtx(t)
	c := playTranscript(t, "capabilities.txt")
	_, err := c.Caps()
	require.ErrorIs(t, err, ErrClientState, "the greeting had no CAPABILITY code")
	assert.False(t, c.Supports(CapIMAP4rev1))

	caps, err := c.Capability(ctx)
	require.NoError(t, err)
	assert.Len(t, caps, 3)
	for _, name := range []Cap{CapIMAP4rev1, CapLiteralPlus, CapAuthPlain} {
		assert.True(t, caps.Has(name), name)
	}
	assert.True(t, c.Supports("literal+"), "case-insensitive")
	caps[CapMove] = struct{}{}
	assert.False(t, c.Supports(CapMove), "Caps hands out a copy")

	require.NoError(t, c.Login(ctx, "alice", "secret"))
	_, err = c.Caps()
	require.ErrorIs(t, err, ErrClientState, "dropped by a LOGIN whose OK does not list them")
	assert.False(t, c.Supports(CapLiteralPlus))
	_, err = c.Capability(ctx)
	require.NoError(t, err)
	assert.True(t, c.Supports(CapMove))
	assert.False(t, c.Supports(CapIdle))

	require.NoError(t, c.Noop(ctx))
	assert.True(t, c.Supports(CapIdle), "an untagged CAPABILITY updates them")
	caps, err = c.Caps()
	require.NoError(t, err)
	assert.Len(t, caps, 3)
}
