package relay

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/peertest"
	"github.com/mailwire/mailwire/smtp"
	"github.com/mailwire/mailwire/smtp/queue"
	"github.com/mailwire/mailwire/smtp/smtptest"
)

func waitMessages(t *testing.T, s *smtptest.Server, n int) []smtptest.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	msgs, err := s.WaitMessages(ctx, n)
	require.NoError(t, err)
	return msgs
}

// The message arrives as it was queued, octet for octet, with the
// envelope and DSN parameters passed on (RFC 3461 section 6.2), and the
// entry leaves the queue.
func TestRelay_DeliversByteExact(t *testing.T) {
	b := smtptest.NewServer(t)
	r := newRelay(t, map[string]string{"b.test": b.Addr})
	_, err := r.Queue.Enqueue(&queue.Entry{
		From:       "alice@a.test",
		Options:    smtp.MailOptions{EnvelopeID: "ENV42", Return: smtp.ReturnHeaders},
		Recipients: []queue.Recipient{rcpt("bob@b.test", smtp.NotifyFailure), rcpt("carol@b.test", smtp.NotifyFailure)},
	}, stringsReader(testMsg))
	require.NoError(t, err)
	run(t, r)

	msgs := waitMessages(t, b, 1)
	waitQueue(t, r.Queue, empty)
	m := msgs[0]
	assert.Equal(t, testMsg, string(m.Data))
	assert.Equal(t, "alice@a.test", m.From)
	assert.Equal(t, []string{"bob@b.test", "carol@b.test"}, m.To)
	assert.Equal(t, "ENV42", m.MailOptions.EnvelopeID)
	assert.Equal(t, smtp.ReturnHeaders, m.MailOptions.Return)
	assert.EqualValues(t, len(testMsg), m.MailOptions.Size)
	assert.Equal(t, []smtp.DSNNotify{smtp.NotifyFailure}, m.RcptOptions[0].Notify)
	assert.Equal(t, "mx.a.test", m.Hostname)
	assert.Nil(t, m.TLS, "smtptest offers no STARTTLS here")
}

// RFC 5321 section 4.5.4.1: a destination that cannot be reached is
// tried again, with a growing wait, and gets the message once it is up.
func TestRelay_RFC5321_4_5_4_1_RetriesUntilUp(t *testing.T) {
	addr := peertest.FreeAddr(t)
	r := newRelay(t, map[string]string{"b.test": addr})
	id := enqueue(t, r.Queue, "alice@a.test", testMsg, rcpt("bob@b.test"))
	run(t, r)

	waitQueue(t, r.Queue, func(l []*queue.Entry) bool {
		return len(l) == 1 && l[0].Recipients[0].Attempts >= 2
	})
	e, _ := r.Queue.Get(id)
	rc := e.Recipients[0]
	assert.Equal(t, queue.Deferred, rc.State)
	assert.Equal(t, 451, rc.Reply.Code)
	assert.Equal(t, smtp.EnhancedCode{4, 4, 1}, rc.Reply.Enhanced)

	// B comes up on the address the route names.
	qb := openQueue(t, t.TempDir())
	l, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	srv := &smtp.Server{Domain: "mx.b.test", Backend: &queue.Backend{Queue: qb, Hostname: "mx.b.test"}}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	waitQueue(t, r.Queue, empty)
	got := waitQueue(t, qb, func(l []*queue.Entry) bool { return len(l) == 1 })
	assert.Equal(t, "bob@b.test", got[0].Recipients[0].Addr)
}

func TestRelay_Backoff_RFC5321_4_5_4_1(t *testing.T) {
	r := &Relay{MinBackoff: time.Minute, MaxBackoff: 10 * time.Minute}
	assert.Equal(t, []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 10 * time.Minute, 10 * time.Minute},
		[]time.Duration{r.backoff(1), r.backoff(2), r.backoff(3), r.backoff(4), r.backoff(5), r.backoff(60)})
	d := &Relay{}
	assert.Equal(t, DefaultMinBackoff, d.backoff(1))
	assert.Equal(t, DefaultMaxBackoff, d.backoff(100))
}

// RFC 5321 section 4.2.1 and 6.1: 250 for one recipient and 550 for
// another delivers the one and bounces the other with a DSN to the
// sender, a multipart/report (RFC 3464) saying "failed" and 5.1.1.
func TestRelay_RFC3464_FailedRecipientBounced(t *testing.T) {
	b := smtptest.NewServer(t, smtptest.RejectRecipient("nobody@b.test", smtp.NewReply(550, smtp.EnhancedCode{5, 1, 1}, "No such user")))
	a := smtptest.NewServer(t)
	r := newRelay(t, map[string]string{"b.test": b.Addr, "a.test": a.Addr})
	_, err := r.Queue.Enqueue(&queue.Entry{
		From: "alice@a.test", Options: smtp.MailOptions{EnvelopeID: "ENV7"},
		Recipients: []queue.Recipient{rcpt("bob@b.test"), {Addr: "nobody@b.test", Options: smtp.RcptOptions{OriginalRecipientType: "rfc822", OriginalRecipient: "Nobody@b.test"}}},
	}, stringsReader(testMsg))
	require.NoError(t, err)
	run(t, r)

	delivered := waitMessages(t, b, 1)
	assert.Equal(t, []string{"bob@b.test"}, delivered[0].To)
	dsn := waitMessages(t, a, 1)[0]
	waitQueue(t, r.Queue, empty)

	// RFC 5321 section 6.2 and RFC 3461 section 6.1: the DSN has the null
	// reverse path.
	assert.Equal(t, "", dsn.From)
	assert.Equal(t, []string{"alice@a.test"}, dsn.To)
	rep := parseDSN(t, dsn.Data)
	assert.Equal(t, "multipart/report", rep.mediaType)
	assert.Equal(t, "delivery-status", rep.reportType)
	assert.Equal(t, "auto-replied", rep.header.Get("Auto-Submitted"))
	assert.Equal(t, "dns; mx.a.test", rep.message.Get("Reporting-MTA"))
	assert.Equal(t, "ENV7", rep.message.Get("Original-Envelope-Id"))
	assert.NotEmpty(t, rep.message.Get("Arrival-Date"))
	require.Len(t, rep.recipients, 1)
	f := rep.recipients[0]
	assert.Equal(t, "rfc822; nobody@b.test", f.Get("Final-Recipient"))
	assert.Equal(t, "rfc822;Nobody@b.test", f.Get("Original-Recipient"))
	assert.Equal(t, "failed", f.Get("Action"))
	assert.Equal(t, "5.1.1", f.Get("Status"))
	assert.Equal(t, "dns; "+host(b.Addr), f.Get("Remote-MTA"))
	assert.Equal(t, "smtp; 550 5.1.1 No such user", f.Get("Diagnostic-Code"))
	assert.NotEmpty(t, f.Get("Last-Attempt-Date"))
	// RFC 3461 section 4.3: no RET, a failure: the whole message returns.
	assert.Equal(t, "message/rfc822", rep.returnedAs)
	assert.Equal(t, testMsg, rep.returned)
}

// RFC 7505 section 3: a single MX of "." means the domain takes no mail;
// the recipient fails at once with 556 5.1.10, without a connection.
func TestRelay_RFC7505_NullMX(t *testing.T) {
	a := smtptest.NewServer(t)
	r := newRelay(t, map[string]string{"a.test": a.Addr})
	r.Resolver = fakeResolver{mx: map[string][]*net.MX{"null.test": {{Host: ".", Pref: 0}}}}
	enqueue(t, r.Queue, "alice@a.test", testMsg, rcpt("bob@null.test"))
	run(t, r)

	rep := parseDSN(t, waitMessages(t, a, 1)[0].Data)
	waitQueue(t, r.Queue, empty)
	require.Len(t, rep.recipients, 1)
	assert.Equal(t, "failed", rep.recipients[0].Get("Action"))
	assert.Equal(t, "5.1.10", rep.recipients[0].Get("Status"))
	assert.Equal(t, "smtp; 556 5.1.10 Recipient address has null MX", rep.recipients[0].Get("Diagnostic-Code"))
	assert.Empty(t, rep.recipients[0].Get("Remote-MTA"))
}

// RFC 3461 section 4.1: NOTIFY=SUCCESS asks for a "delivered" DSN, which
// returns only the header unless RET=FULL.
func TestRelay_RFC3461_NotifySuccess(t *testing.T) {
	b := smtptest.NewServer(t)
	a := smtptest.NewServer(t)
	r := newRelay(t, map[string]string{"b.test": b.Addr, "a.test": a.Addr})
	enqueue(t, r.Queue, "alice@a.test", testMsg, rcpt("bob@b.test", smtp.NotifySuccess))
	run(t, r)

	waitMessages(t, b, 1)
	rep := parseDSN(t, waitMessages(t, a, 1)[0].Data)
	waitQueue(t, r.Queue, empty)
	require.Len(t, rep.recipients, 1)
	assert.Equal(t, "delivered", rep.recipients[0].Get("Action"))
	assert.Equal(t, "2.0.0", rep.recipients[0].Get("Status"))
	assert.Equal(t, "text/rfc822-headers", rep.returnedAs)
	assert.Contains(t, rep.returned, "Subject: test\r\n")
	assert.NotContains(t, rep.returned, "Hello Bob.")
}

// No DSN: NOTIFY=NEVER (RFC 3461 section 4.1), or a null reverse path
// (RFC 5321 section 6.2), however the delivery ends. The queue empties
// without any DSN entry being added to it.
func TestRelay_RFC3461_NoDSN(t *testing.T) {
	reject := smtp.NewReply(550, smtp.EnhancedCode{5, 1, 1}, "No such user")
	for name, tc := range map[string]struct {
		from string
		rc   queue.Recipient
	}{
		"notify never": {"alice@a.test", rcpt("nobody@b.test", smtp.NotifyNever)},
		"null sender":  {"", rcpt("nobody@b.test")},
		"failure only": {"alice@a.test", rcpt("bob@b.test", smtp.NotifyFailure)},
	} {
		t.Run(name, func(t *testing.T) {
			b := smtptest.NewServer(t, smtptest.RejectRecipient("nobody@b.test", reject))
			r := newRelay(t, map[string]string{"b.test": b.Addr, "a.test": peertest.FreeAddr(t)})
			var added int
			enqueue(t, r.Queue, tc.from, testMsg, tc.rc)
			run(t, r)
			waitQueue(t, r.Queue, func(l []*queue.Entry) bool {
				if len(l) > 1 {
					added++
				}
				return len(l) == 0
			})
			assert.Zero(t, added, "a DSN was queued")
		})
	}
}

// RFC 5321 section 4.5.4.1: a recipient still deferred after MaxAge
// fails, and the sender learns so with Status 4.4.7 (RFC 3463: delivery
// time expired).
func TestRelay_RFC5321_4_5_4_1_MaxAgeBounces(t *testing.T) {
	a := smtptest.NewServer(t)
	r := newRelay(t, map[string]string{"b.test": peertest.FreeAddr(t), "a.test": a.Addr})
	r.MaxAge = time.Nanosecond
	enqueue(t, r.Queue, "alice@a.test", testMsg, rcpt("bob@b.test"))
	run(t, r)

	rep := parseDSN(t, waitMessages(t, a, 1)[0].Data)
	waitQueue(t, r.Queue, empty)
	require.Len(t, rep.recipients, 1)
	assert.Equal(t, "failed", rep.recipients[0].Get("Action"))
	assert.Equal(t, "4.4.7", rep.recipients[0].Get("Status"))
	assert.Contains(t, rep.recipients[0].Get("Diagnostic-Code"), "smtp; 451 4.4.1 No answer from host")
}

// RFC 3461 section 4.1: NOTIFY=DELAY gets one "delayed" DSN, with
// Will-Retry-Until (RFC 3464 section 2.3.8), however often the message
// is deferred.
func TestRelay_RFC3461_NotifyDelayOnce(t *testing.T) {
	a := smtptest.NewServer(t)
	r := newRelay(t, map[string]string{"b.test": peertest.FreeAddr(t), "a.test": a.Addr})
	id := enqueue(t, r.Queue, "alice@a.test", testMsg, rcpt("bob@b.test", smtp.NotifyDelay, smtp.NotifyFailure))
	run(t, r)

	rep := parseDSN(t, waitMessages(t, a, 1)[0].Data)
	require.Len(t, rep.recipients, 1)
	assert.Equal(t, "delayed", rep.recipients[0].Get("Action"))
	assert.Equal(t, "4.4.1", rep.recipients[0].Get("Status"))
	assert.NotEmpty(t, rep.recipients[0].Get("Will-Retry-Until"))
	waitQueue(t, r.Queue, func(l []*queue.Entry) bool {
		for _, e := range l {
			if e.ID == id {
				return e.Recipients[0].Attempts >= 4
			}
		}
		return false
	})
	assert.Len(t, a.Messages(), 1)
}

func host(addr string) string {
	h, _, _ := net.SplitHostPort(addr)
	return h
}

// Many messages on parallel connections: each arrives exactly once, even
// as deliveries end while the relay looks for the next due ones.
func TestRelay_ManyMessagesEachOnce(t *testing.T) {
	b := smtptest.NewServer(t)
	r := newRelay(t, map[string]string{"b.test": b.Addr})
	run(t, r)
	ids := map[string]bool{}
	for i := range 60 {
		msg := "Subject: " + strconv.Itoa(i) + "\r\n\r\nx\r\n"
		enqueue(t, r.Queue, "alice@a.test", msg, rcpt("bob@b.test"))
		ids["Subject: "+strconv.Itoa(i)] = true
	}
	waitQueue(t, r.Queue, empty)
	msgs := b.Messages()
	assert.Len(t, msgs, 60)
	for _, m := range msgs {
		subject, _, _ := strings.Cut(string(m.Data), "\r\n")
		assert.True(t, ids[subject], "unexpected or repeated %q", subject)
		delete(ids, subject)
	}
}

// RFC 5321 section 6.1: a transaction under way when Run's context ends
// is finished and recorded, so the delivered message is not sent again
// by the next Run.
func TestRelay_RFC5321_6_1_ShutdownFinishesTransaction(t *testing.T) {
	arrived := make(chan struct{}, 1)
	b := smtptest.NewServer(t,
		smtptest.OnMessage(func(smtptest.Message) { arrived <- struct{}{} }),
		smtptest.DelayReply(smtptest.AtData, 200*time.Millisecond))
	r := newRelay(t, map[string]string{"b.test": b.Addr})
	id := enqueue(t, r.Queue, "alice@a.test", testMsg, rcpt("bob@b.test"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	<-arrived // the message is at B; its 250 is still to come
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	e, ok := r.Queue.Get(id)
	if ok {
		assert.Equal(t, queue.Delivered, e.Recipients[0].State)
	}
	assert.Len(t, b.Messages(), 1)
}
