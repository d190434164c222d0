package smtp_test

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/smtptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTooManyErrors421IsRead_RFC5321_3_8: a client that pipelines junk
// past MaxErrors gets 421 and the server ends the session with the rest
// of the junk unread. Closing at once would make the kernel reset the
// connection and the 421 could be lost; the lingering close shuts the
// write side, drains, and the client reads every reply, then end of
// stream.
func TestTooManyErrors421IsRead_RFC5321_3_8(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithServer(func(srv *smtp.Server) { srv.MaxErrors = 3 }))
	nc, err := net.Dial("tcp", s.Addr)
	require.NoError(t, err)
	defer nc.Close()
	require.NoError(t, nc.SetDeadline(time.Now().Add(10*time.Second)))
	go func() {
		_, _ = nc.Write([]byte(strings.Repeat("JUNK\r\n", 4) + strings.Repeat("x", 200<<10)))
	}()
	time.Sleep(200 * time.Millisecond) // the junk reaches the server
	got, err := io.ReadAll(nc)
	require.NoError(t, err, "the connection must end with FIN, not a reset; read so far %q", got)
	assert.Contains(t, string(got), "421 4.7.0 ")
}
