package queue

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/servertest"
	"github.com/mailwire/mailwire/message"
	"github.com/mailwire/mailwire/smtp"
)

// serve runs an smtp.Server on b and returns its address.
func serve(t *testing.T, b *Backend) string {
	t.Helper()
	return servertest.Serve(t, &smtp.Server{Domain: "mx.a.test", Backend: b})
}

func stored(t *testing.T, q *Queue, id string) string {
	t.Helper()
	rc, err := q.Open(id)
	require.NoError(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	return string(b)
}

const testMsg = "From: alice@a.test\r\nTo: bob@b.test\r\nSubject: hi\r\n\r\nHello.\r\n"

// The 250 to the message comes after Enqueue stored it: once the client
// has its answer the entry is in the queue (RFC 5321 section 6.1), with
// a Received field on top (RFC 5321 section 4.4).
func TestBackend_RFC5321_6_1_QueuedBefore250(t *testing.T) {
	q, _ := newQueue(t)
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	addr := serve(t, &Backend{Queue: q, Hostname: "mx.a.test", Now: func() time.Time { return at }})

	ctx := context.Background()
	c, err := smtp.Dial(ctx, addr, nil)
	require.NoError(t, err)
	require.NoError(t, c.Hello(ctx, "client.a.test"))
	require.NoError(t, c.Mail(ctx, "alice@a.test", &smtp.MailOptions{EnvelopeID: "E1", Return: smtp.ReturnHeaders}))
	require.NoError(t, c.Rcpt(ctx, "bob@b.test", &smtp.RcptOptions{Notify: []smtp.DSNNotify{smtp.NotifySuccess, smtp.NotifyFailure}}))
	w, err := c.Data(ctx)
	require.NoError(t, err)
	io.WriteString(w, testMsg)
	require.NoError(t, w.Close())

	list := q.Entries() // no waiting: the 250 came after the fsync
	require.Len(t, list, 1)
	e := list[0]
	assert.Equal(t, "alice@a.test", e.From)
	assert.Equal(t, "E1", e.Options.EnvelopeID)
	assert.Equal(t, smtp.ReturnHeaders, e.Options.Return)
	require.Len(t, e.Recipients, 1)
	assert.Equal(t, "bob@b.test", e.Recipients[0].Addr)
	assert.Equal(t, []smtp.DSNNotify{smtp.NotifySuccess, smtp.NotifyFailure}, e.Recipients[0].Options.Notify)
	assert.Equal(t, Pending, e.Recipients[0].State)
	assert.True(t, e.Arrived.Equal(at))

	got := stored(t, q, e.ID)
	received := "Received: from client.a.test ([127.0.0.1])\r\n\tby mx.a.test with ESMTP id " + e.ID +
		"\r\n\tfor <bob@b.test>; Fri, 27 Nov 2026 10:00:00 +0000\r\n"
	assert.Equal(t, received+testMsg, got)
	assert.EqualValues(t, len(got), e.Size)
	require.NoError(t, c.Quit(ctx))
}

// With several recipients the Received field names none of them, so that
// a Bcc recipient is not revealed to the others.
func TestTrace_RFC5321_4_4_NoForWithSeveralRecipients(t *testing.T) {
	q, _ := newQueue(t)
	addr := serve(t, &Backend{Queue: q, Hostname: "mx.a.test"})
	require.NoError(t, smtp.SendMail(context.Background(), addr, nil, "a@a.test", []string{"b@b.test", "c@c.test"}, strings.NewReader(testMsg), nil))
	e := q.Entries()[0]
	h, err := message.ReadHeader(bufioReader(stored(t, q, e.ID)))
	require.NoError(t, err)
	assert.NotContains(t, h.Get("Received"), "for <")
	assert.Len(t, e.Recipients, 2)
}

func TestBackend_PolicyHooks(t *testing.T) {
	q, _ := newQueue(t)
	deny := smtp.NewReply(550, smtp.EnhancedCode{5, 7, 1}, "Relaying denied")
	b := &Backend{
		Queue: q, Hostname: "mx.a.test",
		CheckSender: func(_ *smtp.Conn, from string, _ *smtp.MailOptions) error {
			if from == "spammer@x.test" {
				return smtp.NewReply(550, smtp.EnhancedCode{5, 7, 1}, "Go away")
			}
			return nil
		},
		CheckRecipient: func(_ *smtp.Conn, _, to string, _ *smtp.RcptOptions) error {
			if strings.HasSuffix(to, "@elsewhere.test") {
				return deny
			}
			return nil
		},
		RewriteHeader: func(_ *smtp.Conn, h *message.Header) error {
			h.Del("Bcc")
			h.Set("From", "Alice <alice@a.test>")
			return nil
		},
		Sign: func(r io.Reader) ([]byte, error) {
			b, err := io.ReadAll(r)
			if err != nil {
				return nil, err
			}
			if !strings.Contains(string(b), "From: Alice <alice@a.test>") {
				return nil, errors.New("signed before rewriting")
			}
			return []byte("X-Signature: len=" + itoa(len(b)) + "\r\n"), nil
		},
	}
	addr := serve(t, b)
	ctx := context.Background()

	err := smtp.SendMail(ctx, addr, nil, "spammer@x.test", []string{"b@b.test"}, strings.NewReader(testMsg), nil)
	var reply *smtp.Reply
	require.ErrorAs(t, err, &reply)
	assert.Equal(t, "Go away", reply.Text())

	err = smtp.SendMail(ctx, addr, nil, "a@a.test", []string{"x@elsewhere.test"}, strings.NewReader(testMsg), nil)
	require.ErrorAs(t, err, &reply)
	assert.Equal(t, 550, reply.Code)
	assert.Empty(t, q.Entries())

	msg := "From: alice@a.test\r\nBcc: hidden@b.test\r\nSubject: s\r\n\r\nbody\r\n"
	require.NoError(t, smtp.SendMail(ctx, addr, nil, "a@a.test", []string{"b@b.test"}, strings.NewReader(msg), nil))
	e := q.Entries()[0]
	got := stored(t, q, e.ID)
	rewritten := "From: Alice <alice@a.test>\r\nSubject: s\r\n\r\nbody\r\n"
	_, afterReceived, ok := strings.Cut(got, ">; ")
	require.True(t, ok)
	_, rest, _ := strings.Cut(afterReceived, "\r\n")
	assert.Equal(t, "X-Signature: len="+itoa(len(rewritten))+"\r\n"+rewritten, rest)
}
