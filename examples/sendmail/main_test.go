package main

import (
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/smtptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A message typed with LF line ends arrives with CRLF (RFC 5321 2.3.8) and
// its dot line intact (4.5.2), after STARTTLS (RFC 3207) and AUTH PLAIN
// (RFC 4954); the final reply is returned.
func TestSendStartTLSAuth_RFC3207_RFC4954(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithTLS(), smtptest.WithUser("u", "p"))
	o := options{server: s.Addr, from: "a@x.test", to: []string{"b@y.test", "c@y.test"},
		startTLS: true, tlsConfig: s.ClientTLSConfig(), user: "u", pass: "p"}
	reply, err := send(testutil.Context(t), o, strings.NewReader("Subject: hi\n\n.dot line\nend\n"))
	require.NoError(t, err)
	assert.Equal(t, 250, reply.Code)
	m := s.Messages()[0]
	assert.Equal(t, "Subject: hi\r\n\r\n.dot line\r\nend\r\n", string(m.Data))
	assert.Equal(t, []string{"b@y.test", "c@y.test"}, m.To)
	assert.Equal(t, "u", m.Identity)
	assert.NotNil(t, m.TLS)
}

// RFC 8314 3.3: -tls connects with implicit TLS.
func TestSendImplicitTLS_RFC8314(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.WithImplicitTLS())
	o := options{server: s.Addr, from: "", to: []string{"b@y.test"}, implicitTLS: true, tlsConfig: s.ClientTLSConfig()}
	reply, err := send(testutil.Context(t), o, strings.NewReader("Subject: hi\r\n\r\nx\r\n"))
	require.NoError(t, err)
	assert.Equal(t, 250, reply.Code)
	assert.Equal(t, "", s.Messages()[0].From)
}

// A refusal is returned as the server's reply, and as the error that makes
// the command exit non-zero.
func TestSendRefused_RFC5321_4_2_5(t *testing.T) {
	s := smtptest.NewServer(t,
		smtptest.RejectRecipient("no@y.test", smtp.NewReply(550, smtp.EnhancedCode{5, 1, 1}, "No such user")),
		smtptest.FailNextData(1, smtp.NewReply(451, smtp.EnhancedCode{4, 3, 0}, "Try later")))
	o := options{server: s.Addr, from: "a@x.test", to: []string{"no@y.test"}}
	reply, err := send(testutil.Context(t), o, strings.NewReader("x\r\n"))
	require.Error(t, err)
	assert.Equal(t, "550 5.1.1 No such user", reply.Error())

	o.to = []string{"b@y.test"}
	reply, err = send(testutil.Context(t), o, strings.NewReader("x\r\n"))
	require.Error(t, err)
	assert.Equal(t, "451 4.3.0 Try later", reply.Error())
	assert.Empty(t, s.Messages())
}
