package pop3_test

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTooManyErrorsErrIsRead_RFC1939_3: a client that pipelines junk past
// MaxErrors gets -ERR and the server ends the session with the rest of the
// junk unread; the lingering close lets the client read that last -ERR
// and then see end of stream, where closing at once made the kernel reset
// the connection.
func TestTooManyErrorsErrIsRead_RFC1939_3(t *testing.T) {
	ts := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithServer(func(s *pop3.Server) { s.MaxErrors = 3 }))
	nc, err := net.Dial("tcp", ts.Addr)
	require.NoError(t, err)
	defer nc.Close()
	require.NoError(t, nc.SetDeadline(time.Now().Add(10*time.Second)))
	go func() {
		_, _ = nc.Write([]byte(strings.Repeat("JUNK\r\n", 4) + strings.Repeat("x", 200<<10)))
	}()
	time.Sleep(200 * time.Millisecond) // the junk reaches the server
	got, err := io.ReadAll(nc)
	require.NoError(t, err, "the connection must end with FIN, not a reset; read so far %q", got)
	assert.Contains(t, string(got), "-ERR Too many errors")
}
