package imap

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDovecot_Greeting_RFC3501_7_1 dials Dovecot, checks the greeting and
// the capabilities, and logs in and out.
func TestDovecot_Greeting_RFC3501_7_1(t *testing.T) {
	d := startDovecot(t)
	ctx := testCtx(t)
	c, err := Dial(ctx, d.Addr, &Options{Debug: os.Stderr})
	require.NoError(t, err)
	defer c.Close()
	assert.Equal(t, StatusOK, c.Greeting().Type)
	assert.Equal(t, StateNotAuthenticated, c.State())
	caps, err := c.Caps(ctx)
	require.NoError(t, err)
	assert.True(t, caps.Has(CapIMAP4rev1))
	assert.True(t, caps.Has(CapStartTLS))
	require.NoError(t, c.Login(ctx, "alice", "secret"))
	assert.Equal(t, StateAuthenticated, c.State())
	caps, err = c.Caps(ctx)
	require.NoError(t, err)
	t.Logf("caps: %v", caps)
	require.NoError(t, c.Logout(ctx))
}
