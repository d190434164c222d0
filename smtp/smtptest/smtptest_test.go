package smtptest_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/smtptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = "From: a@x.test\r\nTo: b@y.test\r\nSubject: hello\r\n\r\nline one\r\n..starts with a dot\r\n"

// ctx bounds a test's network calls so that a hung peer fails the test;
// the helper is shared by every package's tests.
var ctx = testutil.Context

// RFC 5321 3.3 and 4.5.2: the envelope, the ESMTP parameters and the
// unstuffed data are recorded as the client sent them.
func TestRecordsEnvelope_RFC5321_3_3(t *testing.T) {
	s := smtptest.NewServer(t)
	d := dial(t, s.Addr)
	d.cmd(250, "EHLO client.test")
	d.cmd(250, "MAIL FROM:<a@x.test> SIZE=90 BODY=8BITMIME RET=HDRS ENVID=id+2B1")
	d.cmd(250, "RCPT TO:<b@y.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@y.test")
	d.cmd(250, "RCPT TO:<c@y.test>")
	require.Equal(t, 250, d.data(sample))

	msgs, err := s.WaitMessages(ctx(t), 1)
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	m := msgs[0]
	assert.Equal(t, "a@x.test", m.From)
	assert.Equal(t, []string{"b@y.test", "c@y.test"}, m.To)
	assert.Equal(t, smtp.MailOptions{Size: 90, Body: smtp.Body8BitMIME, Return: smtp.ReturnHeaders, EnvelopeID: "id+1"}, m.MailOptions)
	require.Len(t, m.RcptOptions, 2)
	assert.Equal(t, []smtp.DSNNotify{smtp.NotifySuccess, smtp.NotifyFailure}, m.RcptOptions[0].Notify)
	assert.Equal(t, "b@y.test", m.RcptOptions[0].OriginalRecipient)
	assert.Equal(t, "From: a@x.test\r\nTo: b@y.test\r\nSubject: hello\r\n\r\nline one\r\n.starts with a dot\r\n", string(m.Data))
	assert.Equal(t, "client.test", m.Hostname)
	assert.Empty(t, m.Identity)
	assert.Nil(t, m.TLS)
	assert.Equal(t, d.nc.LocalAddr().String(), m.RemoteAddr)

	h, err := m.Header()
	require.NoError(t, err)
	assert.Equal(t, "hello", h.Get("Subject"))
	assert.Equal(t, "line one\r\n.starts with a dot\r\n", string(m.Body()))
}

// RFC 5321 4.5.5: the null reverse path is recorded as "".
func TestNullSender_RFC5321_4_5_5(t *testing.T) {
	s := smtptest.NewServer(t)
	d := dial(t, s.Addr)
	d.cmd(250, "HELO client.test")
	d.cmd(250, "MAIL FROM:<>")
	d.cmd(250, "RCPT TO:<b@y.test>")
	require.Equal(t, 250, d.data("\r\nbody\r\n"))
	m := s.Messages()[0]
	assert.Equal(t, "", m.From)
	assert.Equal(t, "body\r\n", string(m.Body()))
}

// WaitMessages sleeps until a delivery wakes it, and gives up with the
// context.
func TestWaitMessages(t *testing.T) {
	s := smtptest.NewServer(t)
	done := make(chan error, 1)
	go func() {
		msgs, err := s.WaitMessages(ctx(t), 2)
		if err == nil && len(msgs) != 2 {
			err = fmt.Errorf("%d messages, want 2", len(msgs))
		}
		done <- err
	}()
	d := dial(t, s.Addr)
	d.cmd(250, "EHLO client.test")
	for range 2 {
		d.cmd(250, "MAIL FROM:<a@x.test>")
		d.cmd(250, "RCPT TO:<b@y.test>")
		require.Equal(t, 250, d.data(sample))
	}
	require.NoError(t, <-done)

	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	msgs, err := s.WaitMessages(short, 3)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Len(t, msgs, 2)

	s.Reset()
	assert.Empty(t, s.Messages())
}

// RFC 4954 4 and 6: with WithUser, MAIL needs AUTH (530 5.7.0), wrong
// credentials get 535 5.7.8, and the identity is recorded.
func TestWithUser_RFC4954_6(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithUser("alice", "secret"), smtptest.WithInsecureAuth())
	d := dial(t, s.Addr)
	ehlo := d.cmd(250, "EHLO client.test")
	assert.Contains(t, ehlo, "AUTH SCRAM-SHA-256 SCRAM-SHA-1 PLAIN LOGIN")
	assert.Contains(t, d.cmd(530, "MAIL FROM:<a@x.test>"), "5.7.0")
	plain := func(user, pass string) string {
		return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
	}
	assert.Contains(t, d.cmd(535, "AUTH PLAIN "+plain("alice", "wrong")), "5.7.8")
	assert.Contains(t, d.cmd(535, "AUTH PLAIN "+plain("bob", "secret")), "5.7.8")
	d.cmd(235, "AUTH PLAIN "+plain("alice", "secret"))
	d.cmd(250, "MAIL FROM:<a@x.test>")
	d.cmd(250, "RCPT TO:<b@y.test>")
	require.Equal(t, 250, d.data(sample))
	assert.Equal(t, "alice", s.Messages()[0].Identity)
}

// RFC 5802, RFC 7677: WithUser's users log in with SCRAM too, from the
// same password; an unknown name fails as a wrong password does.
func TestWithUser_SCRAM_RFC7677(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithUser("alice", "secret"), smtptest.WithInsecureAuth())
	ctx := context.Background()
	for _, tc := range []struct {
		auth smtp.SASLClient
		ok   bool
	}{
		{smtp.ScramSHA256Auth("alice", "secret"), true},
		{smtp.ScramSHA1Auth("alice", "secret"), true},
		{smtp.ScramSHA256Auth("alice", "wrong"), false},
		{smtp.ScramSHA256Auth("bob", "secret"), false},
	} {
		c, err := smtp.Dial(ctx, s.Addr, &smtp.Options{InsecureAuth: true})
		require.NoError(t, err)
		require.NoError(t, c.Hello(ctx, ""))
		caps, err := c.Caps()
		require.NoError(t, err)
		assert.Equal(t, "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN LOGIN", caps["AUTH"])
		err = c.Auth(ctx, tc.auth)
		if tc.ok {
			require.NoError(t, err)
		} else {
			var r *smtp.Reply
			require.ErrorAs(t, err, &r)
			assert.Equal(t, 535, r.Code)
		}
		c.Close()
	}
}

// Without WithUser the server does not advertise AUTH at all.
func TestNoAuthAdvertised(t *testing.T) {
	s := smtptest.NewServer(t)
	d := dial(t, s.Addr)
	assert.NotContains(t, d.cmd(250, "EHLO client.test"), "AUTH")
	d.cmd(502, "AUTH PLAIN AGFsaWNlAHNlY3JldA==")
}

// RFC 3207: STARTTLS with the run-time certificate, which
// ClientTLSConfig trusts; the message records the TLS state.
func TestWithTLS_RFC3207(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithTLS())
	require.NotNil(t, s.ClientTLSConfig())
	require.Contains(t, string(s.CertificatePEM()), "BEGIN CERTIFICATE")
	c, err := smtp.Dial(ctx(t), s.Addr, nil)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Hello(ctx(t), "client.test"))
	require.True(t, c.Supports("STARTTLS"))
	require.NoError(t, c.StartTLS(ctx(t), s.ClientTLSConfig()))
	require.NoError(t, c.Send(ctx(t), "a@x.test", []string{"b@y.test"}, stringsReader(sample), nil))
	require.NoError(t, c.Quit(ctx(t)))
	m := s.Messages()[0]
	require.NotNil(t, m.TLS)
	assert.True(t, m.TLS.HandshakeComplete)
	assert.Equal(t, sample, string(m.Data))
}

// RFC 8314 3.3: implicit TLS from the first octet.
func TestWithImplicitTLS_RFC8314(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithImplicitTLS())
	d := dialTLS(t, s.Addr, s.ClientTLSConfig())
	assert.NotContains(t, d.cmd(250, "EHLO client.test"), "STARTTLS")
	d.cmd(250, "MAIL FROM:<a@x.test>")
	d.cmd(250, "RCPT TO:<b@y.test>")
	require.Equal(t, 250, d.data(sample))
	assert.NotNil(t, s.Messages()[0].TLS)
}

// RFC 2033 4.2: in LMTP mode each accepted recipient gets its own reply
// after the data; a refused one gets none.
func TestWithLMTP_RFC2033_4_2(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithLMTP(),
		smtptest.RejectRecipient("nobody@y.test", smtp.NewReply(550, smtp.EnhancedCode{5, 1, 1}, "No such user")))
	d := dial(t, s.Addr)
	d.cmd(500, "EHLO client.test")
	d.cmd(250, "LHLO client.test")
	d.cmd(250, "MAIL FROM:<a@x.test>")
	d.cmd(250, "RCPT TO:<b@y.test>")
	assert.Equal(t, "5.1.1 No such user", d.cmd(550, "RCPT TO:<nobody@y.test>"))
	d.cmd(250, "RCPT TO:<c@y.test>")
	require.Equal(t, 250, d.data(sample))
	d.expect(250) // the second recipient's reply
	assert.Equal(t, []string{"b@y.test", "c@y.test"}, s.Messages()[0].To)
}

// RFC 5321 4.2.5: a refused sender or recipient gets exactly the reply
// the test chose; the session goes on.
func TestRejectSenderAndRecipient_RFC5321_4_2_5(t *testing.T) {
	s := smtptest.NewServer(t,
		smtptest.RejectSender("spam@x.test", smtp.NewReply(550, smtp.EnhancedCode{5, 7, 1}, "Go away")),
		smtptest.RejectRecipient("full@y.test", smtp.NewReply(452, smtp.EnhancedCode{4, 2, 2}, "Mailbox full")))
	d := dial(t, s.Addr)
	d.cmd(250, "EHLO client.test")
	assert.Equal(t, "5.7.1 Go away", d.cmd(550, "MAIL FROM:<spam@x.test>"))
	d.cmd(250, "MAIL FROM:<a@x.test>")
	assert.Equal(t, "4.2.2 Mailbox full", d.cmd(452, "RCPT TO:<full@y.test>"))
	d.cmd(250, "RCPT TO:<b@y.test>")
	require.Equal(t, 250, d.data(sample))
	assert.Equal(t, []string{"b@y.test"}, s.Messages()[0].To)
}

// RFC 5321 4.5.4.1: FailNextData refuses the first deliveries after the
// data, which lets a test see a client retry; nothing refused is recorded.
func TestFailNextData_RFC5321_4_5_4_1(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.FailNextData(2, smtp.NewReply(451, smtp.EnhancedCode{4, 3, 0}, "Try later")))
	d := dial(t, s.Addr)
	d.cmd(250, "EHLO client.test")
	for _, want := range []int{451, 451, 250} {
		d.cmd(250, "MAIL FROM:<a@x.test>")
		d.cmd(250, "RCPT TO:<b@y.test>")
		require.Equal(t, want, d.data(sample))
	}
	assert.Len(t, s.Messages(), 1)
}

// RFC 5321 4.5.3.2: a delayed reply makes a client with a shorter
// deadline give up; Close does not wait for the delay to pass.
func TestDelayReply_RFC5321_4_5_3_2(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.DelayReply(smtptest.AtMail, time.Hour))
	c, err := smtp.Dial(ctx(t), s.Addr, nil)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Hello(ctx(t), "client.test"))
	short, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = c.Mail(short, "a@x.test", nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	s.Close()
}

// RFC 5321 6.1: a connection dropped after the data but before the reply
// leaves nothing recorded; the next attempt goes through.
func TestDropConnectionAtData_RFC5321_6_1(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.DropConnection(smtptest.AtData, 1))
	d := dial(t, s.Addr)
	d.cmd(250, "EHLO client.test")
	d.cmd(250, "MAIL FROM:<a@x.test>")
	d.cmd(250, "RCPT TO:<b@y.test>")
	d.cmd(354, "DATA")
	_, err := io.WriteString(d.nc, sample+".\r\n")
	require.NoError(t, err)
	_, _, err = d.tc.ReadResponse(0)
	require.ErrorIs(t, err, io.EOF)
	assert.Empty(t, s.Messages())

	d = dial(t, s.Addr)
	d.cmd(250, "EHLO client.test")
	d.cmd(250, "MAIL FROM:<a@x.test>")
	d.cmd(250, "RCPT TO:<b@y.test>")
	require.Equal(t, 250, d.data(sample))
	assert.Len(t, s.Messages(), 1)
}

// Dropping at connect closes the connection before the greeting, every
// time when n <= 0.
func TestDropConnectionAtConnect(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.DropConnection(smtptest.AtConnect, 0))
	for range 2 {
		nc, err := net.Dial("tcp", s.Addr)
		require.NoError(t, err)
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		_, err = io.ReadAll(nc)
		require.NoError(t, err) // EOF without a greeting
		nc.Close()
	}
}

// OnMessage runs before the client gets its 250, so a store it feeds
// already holds the message when the client returns.
func TestOnMessage(t *testing.T) {
	var store []string
	s := smtptest.NewServer(t, smtptest.OnMessage(func(m smtptest.Message) {
		store = append(store, m.From)
	}))
	d := dial(t, s.Addr)
	d.cmd(250, "EHLO client.test")
	d.cmd(250, "MAIL FROM:<a@x.test>")
	d.cmd(250, "RCPT TO:<b@y.test>")
	require.Equal(t, 250, d.data(sample))
	assert.Equal(t, []string{"a@x.test"}, store) // no race: the 250 came after the hook
}

// WithServer sets the server's limits: here RFC 5321 4.5.3.1.10's 452
// for one recipient too many.
func TestWithServer_RFC5321_4_5_3_1_10(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithServer(func(srv *smtp.Server) { srv.MaxRecipients = 1 }))
	d := dial(t, s.Addr)
	d.cmd(250, "EHLO client.test")
	d.cmd(250, "MAIL FROM:<a@x.test>")
	d.cmd(250, "RCPT TO:<b@y.test>")
	assert.Equal(t, "4.5.3 Too many recipients", d.cmd(452, "RCPT TO:<c@y.test>"))
}

// Close sends 421 to an idle session (RFC 5321 3.8) and returns once it
// ended; a second Close does nothing.
func TestClose_RFC5321_3_8(t *testing.T) {
	s := smtptest.NewServer(t)
	d := dial(t, s.Addr)
	d.cmd(250, "EHLO client.test")
	s.Close()
	d.expect(421)
	s.Close()
	_, err := net.DialTimeout("tcp", s.Addr, time.Second)
	assert.Error(t, err)
}

// RFC 3030 2: a message sent in BDAT chunks is recorded joined, with no
// unstuffing (chunks carry octets as they are).
func TestBDAT_RFC3030_2(t *testing.T) {
	s := smtptest.NewServer(t)
	d := dial(t, s.Addr)
	d.cmd(250, "EHLO client.test")
	d.cmd(250, "MAIL FROM:<a@x.test> BODY=BINARYMIME")
	d.cmd(250, "RCPT TO:<b@y.test>")
	d.cmd(250, "BDAT 7\r\nhello") // cmd adds the chunk's final CRLF
	d.cmd(250, "BDAT 7 LAST\r\n.\x00bin")
	m := s.Messages()[0]
	assert.Equal(t, "hello\r\n.\x00bin\r\n", string(m.Data))
	assert.Equal(t, smtp.BodyBinaryMIME, m.MailOptions.Body)
}
