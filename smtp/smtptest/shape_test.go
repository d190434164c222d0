package smtptest_test

import (
	"context"
	"encoding/base64"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/smtptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func plainIR(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
}

// RFC 4954 4: a server need not accept credentials in the clear, and the
// test server does not unless asked: over cleartext AUTH is neither
// advertised nor accepted (538 5.7.11, RFC 4954 6); after STARTTLS it is.
func TestWithUser_NoCleartextAuth_RFC4954_4(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithUser("alice", "secret"), smtptest.WithTLS())
	d := dial(t, s.Addr)
	assert.NotContains(t, d.cmd(250, "EHLO client.test"), "AUTH")
	assert.Contains(t, d.cmd(538, "AUTH PLAIN "+plainIR("alice", "secret")), "5.7.11")

	c, err := smtp.Dial(ctx(t), s.Addr, nil)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Hello(ctx(t), "client.test"))
	require.NoError(t, c.StartTLS(ctx(t), s.ClientTLSConfig()))
	require.NoError(t, c.Auth(ctx(t), smtp.PlainAuth("", "alice", "secret")))
	require.NoError(t, c.Send(ctx(t), "a@x.test", []string{"b@y.test"}, strings.NewReader(sample), nil))
	assert.Equal(t, "alice", s.Messages()[0].Identity)
}

// RFC 5321 4.2: FailCommand answers a verb with the chosen reply until it
// is lifted; the session stays usable.
func TestFailCommand_RFC5321_4_2(t *testing.T) {
	s := smtptest.NewServer(t)
	s.FailCommand(smtp.VerbMAIL, smtp.NewReply(451, smtp.EnhancedCode{4, 3, 0}, "Try later"))
	d := dial(t, s.Addr)
	d.cmd(250, "EHLO client.test")
	assert.Equal(t, "4.3.0 Try later", d.cmd(451, "MAIL FROM:<a@x.test>"))
	assert.Equal(t, "4.3.0 Try later", d.cmd(451, "MAIL FROM:<a@x.test>"))
	s.FailCommand(smtp.VerbMAIL, nil)
	d.cmd(250, "MAIL FROM:<a@x.test>")
}

// RFC 5321 6.1: DropOn closes the connection at the next such command,
// once; the next connection is served.
func TestDropOn_RFC5321_6_1(t *testing.T) {
	s := smtptest.NewServer(t)
	s.DropOn(smtp.VerbRCPT)
	d := dial(t, s.Addr)
	d.cmd(250, "EHLO client.test")
	d.cmd(250, "MAIL FROM:<a@x.test>")
	require.NoError(t, d.tc.PrintfLine("RCPT TO:<b@y.test>"))
	_, _, err := d.tc.ReadResponse(0)
	require.ErrorIs(t, err, io.EOF)

	d = dial(t, s.Addr)
	d.cmd(250, "EHLO client.test")
	d.cmd(250, "MAIL FROM:<a@x.test>")
	d.cmd(250, "RCPT TO:<b@y.test>")
}

// Reset forgets the messages and every fault, those set by options
// included, and keeps the users.
func TestReset(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithUser("alice", "secret"), smtptest.WithInsecureAuth(),
		smtptest.RejectSender("spam@x.test", smtp.NewReply(550, smtp.EnhancedCode{5, 7, 1}, "Go away")),
		smtptest.FailNextData(1, smtp.NewReply(451, smtp.EnhancedCode{4, 3, 0}, "Try later")),
		smtptest.DelayReply(smtptest.AtRcpt, time.Hour))
	s.FailCommand(smtp.VerbNOOP, smtp.NewReply(421, smtp.EnhancedCode{4, 3, 2}, "Bye"))
	s.Reset()

	d := dial(t, s.Addr)
	d.cmd(250, "EHLO client.test")
	d.cmd(250, "NOOP")
	d.cmd(530, "MAIL FROM:<a@x.test>") // the user stays, so AUTH is still required
	d.cmd(235, "AUTH PLAIN "+plainIR("alice", "secret"))
	d.cmd(250, "MAIL FROM:<spam@x.test>")
	d.cmd(250, "RCPT TO:<b@y.test>")
	require.Equal(t, 250, d.data(sample))
	_, err := s.WaitMessages(ctx(t), 1)
	require.NoError(t, err)
	s.Reset()
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	msgs, err := s.WaitMessages(short, 1)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Empty(t, msgs)
}

// Start serves without a testing.TB; Close stops it.
func TestStart(t *testing.T) {
	s, err := smtptest.Start()
	require.NoError(t, err)
	d := dial(t, s.Addr)
	d.cmd(250, "EHLO client.test")
	s.Close()
	d.expect(421)
	s.Close()
}
