package imap_test

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLineTooLongByeIsRead_RFC3501_7_1_5: a 100 KB command line is over
// the 64 KiB budget, so the server answers BAD and BYE and ends the
// session with input still unread. Closing such a socket at once makes
// the kernel send a reset, which used to destroy the BYE before the
// client read it; the lingering close lets the client read every line
// and then see an orderly end of stream.
func TestLineTooLongByeIsRead_RFC3501_7_1_5(t *testing.T) {
	addr := limitServer(t, 0, nil)
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer nc.Close()
	require.NoError(t, nc.SetDeadline(time.Now().Add(10*time.Second)))
	go func() {
		_, _ = nc.Write([]byte("a NOOP " + strings.Repeat("x", 100<<10) + "\r\n"))
	}()
	// Let the whole line reach the server before reading, as a client
	// busy writing would.
	time.Sleep(200 * time.Millisecond)
	got, err := io.ReadAll(nc)
	require.NoError(t, err, "the connection must end with FIN, not a reset; read so far %q", got)
	assert.Contains(t, string(got), "* BYE [LIMIT]")
}
