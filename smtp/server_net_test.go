package smtp_test

import (
	"bufio"
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

// Bad input that needs a real connection or the clock (issue 2, "Must
// hold when done"); the command-level error paths are transcript tests.

// rawConn is a client that writes exactly what a test says and reads
// replies line by line.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	return &rawConn{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (c *rawConn) send(s string) {
	c.t.Helper()
	_, err := io.WriteString(c.nc, s)
	require.NoError(c.t, err)
}

// reply reads one reply and returns its last line without CRLF.
func (c *rawConn) reply() string {
	c.t.Helper()
	for {
		line, err := c.br.ReadString('\n')
		require.NoError(c.t, err, "reading a reply")
		if len(line) < 4 || line[3] != '-' {
			return strings.TrimRight(line, "\r\n")
		}
	}
}

// expect reads one reply and checks that it starts with prefix.
func (c *rawConn) expect(prefix string) {
	c.t.Helper()
	got := c.reply()
	require.True(c.t, strings.HasPrefix(got, prefix), "got %q, want %q...", got, prefix)
}

// expectClosed checks that the server closed the connection.
func (c *rawConn) expectClosed() {
	c.t.Helper()
	rest, err := io.ReadAll(c.br)
	require.NoError(c.t, err)
	require.Empty(c.t, string(rest))
}

// begin greets and opens a transaction up to the 354 of DATA.
func (c *rawConn) begin() {
	c.t.Helper()
	c.expect("220 ")
	c.send("EHLO client.test\r\n")
	c.expect("250 ")
	c.send("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n")
	c.expect("250 ")
	c.expect("250 ")
	c.expect("354 ")
}

// RFC 5321 4.5.3.2.7: a client that stops sending commands gets 421
// 4.4.2 once CommandTimeout passed, and the connection is closed.
func TestCommandTimeout_RFC5321_4_5_3_2_7(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithServer(func(srv *smtp.Server) { srv.CommandTimeout = 200 * time.Millisecond }))
	c := dialRaw(t, s.Addr)
	c.expect("220 ")
	c.send("EHLO client.test\r\n")
	c.expect("250 ")
	c.expect("421 4.4.2 ")
	c.expectClosed()
}

// RFC 5321 4.5.3.2.5: a client that stops in the middle of the data gets
// 421 4.4.2 after DataTimeout; the partial message is not delivered.
func TestDataTimeout_RFC5321_4_5_3_2_5(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithServer(func(srv *smtp.Server) { srv.DataTimeout = 200 * time.Millisecond }))
	c := dialRaw(t, s.Addr)
	c.begin()
	c.send("Subject: half\r\n\r\nthe first half")
	c.expect("421 4.4.2 ")
	c.expectClosed()
	s.Close() // waits for the session to end
	assert.Empty(t, s.Messages())
}

// RFC 5321 4.5.3.2: the timeouts bound the wait for each block, not the
// whole transfer, so a slow client that keeps making progress survives:
// here a message and commands trickle in over several times the timeout.
func TestSlowClientSurvives_RFC5321_4_5_3_2(t *testing.T) {
	const timeout = 500 * time.Millisecond
	s := smtptest.NewServer(t, smtptest.WithServer(func(srv *smtp.Server) {
		srv.CommandTimeout, srv.DataTimeout = timeout, timeout
	}))
	c := dialRaw(t, s.Addr)
	c.begin()
	var want strings.Builder
	for i := range 30 { // 30 pauses of timeout/10: three timeouts in all
		line := strings.Repeat("x", i) + "\r\n"
		want.WriteString(line)
		c.send(line)
		time.Sleep(timeout / 10)
	}
	c.send(".\r\n")
	c.expect("250 ")
	for _, b := range []byte("NOOP\r\n") { // a command, one octet at a time
		c.send(string(b))
		time.Sleep(timeout / 10)
	}
	c.expect("250 ")
	assert.Equal(t, want.String(), string(s.Messages()[0].Data))
}

// RFC 5321 4.1.1.4 and 6.1: a client that disconnects during DATA
// delivers nothing; the server goes on serving others.
func TestDisconnectDuringData_RFC5321_4_1_1_4(t *testing.T) {
	s := smtptest.NewServer(t)
	c := dialRaw(t, s.Addr)
	c.begin()
	c.send("Subject: cut\r\n\r\nno end in sight\r\n")
	c.nc.Close()

	c = dialRaw(t, s.Addr)
	c.begin()
	c.send("Subject: whole\r\n\r\nbody\r\n.\r\n")
	c.expect("250 ")
	s.Close() // waits for both sessions to end
	msgs := s.Messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, "Subject: whole\r\n\r\nbody\r\n", string(msgs[0].Data))
}

// RFC 5321 3.8: Shutdown tells a session that waits for a command 421
// 4.3.2 and closes it, lets a session in the middle of DATA finish, which
// delivers its message, and returns once both are gone.
func TestShutdown_RFC5321_3_8(t *testing.T) {
	s := smtptest.NewServer(t)
	idle := dialRaw(t, s.Addr)
	idle.expect("220 ")
	idle.send("EHLO idle.test\r\n")
	idle.expect("250 ")
	busy := dialRaw(t, s.Addr)
	busy.begin()
	busy.send("Subject: in flight\r\n\r\nfirst half\r\n")

	closed := make(chan struct{})
	go func() {
		s.Close() // smtp.Server.Shutdown with a grace period
		close(closed)
	}()
	idle.expect("421 4.3.2 ")
	idle.expectClosed()
	select {
	case <-closed:
		t.Fatal("Shutdown returned while a message was being received")
	default:
	}
	busy.send("second half\r\n.\r\n")
	busy.expect("250 ")
	busy.expect("421 4.3.2 ")
	busy.expectClosed()
	<-closed
	msgs := s.Messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, "Subject: in flight\r\n\r\nfirst half\r\nsecond half\r\n", string(msgs[0].Data))
}

// MaxConnections: a connection over the limit gets 421 at once and is
// closed (RFC 5321 3.1 lets a server refuse service with 421).
func TestMaxConnections_RFC5321_3_1(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithServer(func(srv *smtp.Server) { srv.MaxConnections = 1 }))
	first := dialRaw(t, s.Addr)
	first.expect("220 ")
	second := dialRaw(t, s.Addr)
	second.expect("421 4.7.0 ")
	second.expectClosed()
	first.send("NOOP\r\n")
	first.expect("250 ")
}

// Too many errors: after MaxErrors refused commands the server answers
// 421 and closes (RFC 5321 4.2.5 lets a server end a session it cannot
// serve), as Postfix's smtpd_hard_error_limit does. Fewer errors leave
// the session usable.
func TestTooManyErrors_RFC5321_4_2_5(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithServer(func(srv *smtp.Server) { srv.MaxErrors = 3 }))
	c := dialRaw(t, s.Addr)
	c.expect("220 ")
	c.send("BOGUS\r\nMAIL FROM:<a@x.test>\r\n")
	c.expect("500 5.5.1 ")
	c.expect("503 5.5.1 ")
	c.send("EHLO client.test\r\n")
	c.expect("250 ")
	c.send("FOO\r\n")
	c.expect("500 5.5.1 ")
	c.expect("421 4.7.0 ")
	c.expectClosed()
}
