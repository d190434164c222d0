package relay

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/queue"
	"github.com/mailwire/mailwire/smtp/smtptest"
)

// scripted returns a client greeted by a server whose EHLO reply offers
// only ext.
func scripted(t *testing.T, ext ...string) *smtp.Client {
	t.Helper()
	cc, sc := net.Pipe()
	t.Cleanup(func() { cc.Close(); sc.Close() })
	go func() {
		sc.Write([]byte("220 fake ESMTP\r\n"))
		br := bufio.NewReader(sc)
		br.ReadString('\n') // EHLO
		reply := "250-fake\r\n"
		for _, e := range ext {
			reply += "250-" + e + "\r\n"
		}
		sc.Write([]byte(reply + "250 HELP\r\n"))
	}()
	c, err := smtp.NewClient(context.Background(), cc, nil)
	require.NoError(t, err)
	require.NoError(t, c.Hello(context.Background(), "relay.test"))
	return c
}

// What the next hop must support before the message is sent: SIZE (RFC
// 1870 section 6.1), 8BITMIME (RFC 6152 section 3), BINARYMIME (RFC
// 3030 section 3), SMTPUTF8 (RFC 6531 section 3.4). Each shortfall
// fails the recipients for good with the matching status.
func TestFits_RFC1870_RFC6152_RFC6531(t *testing.T) {
	plain := scripted(t, "SIZE 100")
	for _, tc := range []struct {
		entry queue.Entry
		want  *smtp.Reply
	}{
		{queue.Entry{Size: 100}, nil},
		{queue.Entry{Size: 101}, replyTooBig},
		{queue.Entry{Options: smtp.MailOptions{UTF8: true}}, replyNeedsUTF8},
		{queue.Entry{Options: smtp.MailOptions{Body: smtp.Body8BitMIME}}, replyNeeds8Bit},
		{queue.Entry{Options: smtp.MailOptions{Body: smtp.BodyBinaryMIME}}, replyNeeds8Bit},
		{queue.Entry{Options: smtp.MailOptions{Body: smtp.Body7Bit}}, nil},
	} {
		assert.Equal(t, tc.want, fits(plain, &tc.entry), "%+v", tc.entry)
	}
	rich := scripted(t, "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8")
	for _, o := range []smtp.MailOptions{{UTF8: true}, {Body: smtp.Body8BitMIME}, {Body: smtp.BodyBinaryMIME}} {
		assert.Nil(t, fits(rich, &queue.Entry{Size: 1 << 30, Options: o}), "%+v", o)
	}
}

// RFC 7435 section 3: when the TLS handshake fails, opportunistic TLS
// sends in the clear rather than not at all.
func TestRelay_RFC7435_OpportunisticFallsBackToClear(t *testing.T) {
	b := smtptest.NewServer(t, smtptest.WithTLS())
	r := newRelay(t, map[string]string{"b.test": b.Addr})
	// A client that only speaks TLS 1.0 fails the handshake with a
	// server that requires 1.2 or later.
	r.TLSConfig = &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS10}
	enqueue(t, r.Queue, "alice@a.test", testMsg, rcpt("bob@b.test"))
	run(t, r)
	m := waitMessages(t, b, 1)[0]
	assert.Nil(t, m.TLS)
	assert.Equal(t, testMsg, string(m.Data))
}
