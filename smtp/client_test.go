package smtp

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClient starts a Client, an LMTP one when f.lmtp is set, on f.
func fakeClient(t *testing.T, f *fakeServer, opts *Options) (*Client, *recConn) {
	t.Helper()
	rc := f.start(t)
	newc := NewClient
	if f.lmtp {
		newc = NewLMTPClient
	}
	c, err := newc(context.Background(), rc, opts)
	require.NoError(t, err)
	return c, rc
}

// greetedClient is fakeClient after EHLO, with the standard extensions
// unless f names others.
func greetedClient(t *testing.T, f *fakeServer) (*Client, *recConn) {
	t.Helper()
	return greetedClientWith(t, f, nil)
}

func greetedClientWith(t *testing.T, f *fakeServer, opts *Options) (*Client, *recConn) {
	t.Helper()
	if f.ext == nil {
		f.ext = standardExt
	}
	c, rc := fakeClient(t, f, opts)
	require.NoError(t, c.Hello(context.Background(), "client.test"))
	return c, rc
}

func asReply(t *testing.T, err error) *Reply {
	t.Helper()
	var r *Reply
	require.ErrorAs(t, err, &r)
	return r
}

func TestClient_RFC5321_3_1_Greeting(t *testing.T) {
	_, _ = fakeClient(t, &fakeServer{}, nil)

	rc := (&fakeServer{greeting: "554 5.3.2 no SMTP service here"}).start(t)
	_, err := NewClient(context.Background(), rc, nil)
	r := asReply(t, err)
	assert.Equal(t, CodeTransactionFailed, r.Code)
	assert.Equal(t, EnhancedCode{5, 3, 2}, r.Enhanced)
}

func TestClient_RFC5321_4_1_1_1_EHLOExtensions(t *testing.T) {
	f := &fakeServer{ext: []string{"SIZE 1000", "pipelining", "AUTH=LOGIN PLAIN", "STARTTLS"}}
	c, rc := fakeClient(t, f, &Options{LocalName: "me.example"})
	require.NoError(t, c.Hello(context.Background(), ""))
	assert.Equal(t, []string{"EHLO me.example"}, f.Lines())
	n, ok := c.MaxMessageSize()
	assert.True(t, ok)
	assert.EqualValues(t, 1000, n)
	caps, err := c.Caps()
	require.NoError(t, err)
	assert.Equal(t, Caps{"SIZE": "1000", "PIPELINING": "", "AUTH": "LOGIN PLAIN", "STARTTLS": ""}, caps,
		"keywords in upper case; the pre-standard AUTH= is read as AUTH")
	assert.True(t, c.Supports("pipelining"))
	assert.False(t, c.Supports("CHUNKING"))
	assert.Equal(t, "EHLO me.example\r\n", rc.Writes()[0])
}

func TestClient_RFC1870_4_SizeZeroIsNoLimit(t *testing.T) {
	c, _ := greetedClient(t, &fakeServer{ext: []string{"SIZE 0"}})
	_, ok := c.MaxMessageSize()
	assert.False(t, ok)
}

func TestClient_RFC5321_3_2_HELOFallback(t *testing.T) {
	f := &fakeServer{} // no ext: 502 to EHLO
	c, _ := fakeClient(t, f, nil)
	require.NoError(t, c.Hello(context.Background(), "client.test"))
	assert.Equal(t, []string{"EHLO client.test", "HELO client.test"}, f.Lines())
	assert.False(t, c.Supports("PIPELINING"))
	// The session works without extensions, one command at a time.
	require.NoError(t, c.Send(context.Background(), "a@b.test", []string{"c@d.test"}, strings.NewReader("Hi\r\n"), nil))
	assert.Equal(t, "Hi\r\n", f.Messages()[0].data)
}

func TestClient_RFC5321_4_1_4_OutOfSequenceWritesNothing(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{ext: []string{"PIPELINING"}, replies: map[string]string{"RCPT TO:<bad@d.test>": "550 5.1.1 No such user"}}
	c, rc := fakeClient(t, f, nil)

	assertNoWrite := func(name string, call func() error) {
		t.Helper()
		before := len(rc.Writes())
		err := call()
		require.ErrorIs(t, err, ErrClientState, name)
		assert.Len(t, rc.Writes(), before, name+" wrote to the network")
	}
	assertNoWrite("MAIL before EHLO", func() error { return c.Mail(ctx, "a@b.test", nil) })
	assertNoWrite("Send before EHLO", func() error {
		return c.Send(ctx, "a@b.test", []string{"c@d.test"}, strings.NewReader("x\r\n"), nil)
	})
	assertNoWrite("AUTH before EHLO", func() error { return c.Auth(ctx, PlainAuth("", "u", "p")) })
	require.NoError(t, c.Hello(ctx, "client.test"))
	assertNoWrite("RCPT before MAIL", func() error { return c.Rcpt(ctx, "c@d.test", nil) })
	assertNoWrite("DATA before MAIL", func() error { _, err := c.Data(ctx); return err })
	assertNoWrite("STARTTLS not offered", func() error { return c.StartTLS(ctx, nil) })
	assertNoWrite("AUTH not offered", func() error { return c.Auth(ctx, PlainAuth("", "u", "p")) })
	assertNoWrite("LMTPData on SMTP", func() error { _, err := c.LMTPData(ctx); return err })
	require.NoError(t, c.Mail(ctx, "a@b.test", nil))
	assertNoWrite("MAIL inside a transaction", func() error { return c.Mail(ctx, "a@b.test", nil) })
	assertNoWrite("DATA with no recipient", func() error { _, err := c.Data(ctx); return err })
	require.Error(t, c.Rcpt(ctx, "bad@d.test", nil))
	assertNoWrite("DATA after the only RCPT was refused", func() error { _, err := c.Data(ctx); return err })
	assertNoWrite("BDAT without CHUNKING", func() error { _, err := c.Bdat(ctx); return err })
	assertNoWrite("BODY=8BITMIME not offered", func() error {
		return c.Send(ctx, "a@b.test", []string{"c@d.test"}, strings.NewReader(""), &MailOptions{Body: Body8BitMIME})
	})
	require.NoError(t, c.Rcpt(ctx, "c@d.test", nil))
	w, err := c.Data(ctx)
	require.NoError(t, err)
	assertNoWrite("NOOP while data is open", func() error { return c.Noop(ctx) })
	require.NoError(t, w.Close())
	require.NoError(t, c.Quit(ctx))
	n := len(rc.Writes())
	require.ErrorIs(t, c.Noop(ctx), ErrClosed, "NOOP after QUIT")
	assert.Len(t, rc.Writes(), n)
}

func TestClient_RFC5321_4_1_2_InjectionRefused(t *testing.T) {
	ctx := context.Background()
	c, rc := greetedClient(t, &fakeServer{})
	before := len(rc.Writes())
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"CRLF in sender", func() error { return c.Mail(ctx, "a@b.test>\r\nRCPT TO:<x@y.test", nil) }},
		{"space in sender", func() error { return c.Mail(ctx, "a@b.test> SIZE=1", nil) }},
		{"no domain", func() error { return c.Mail(ctx, "alice", nil) }},
		{"UTF-8 without SMTPUTF8", func() error { return c.Mail(ctx, "jörg@b.test", nil) }},
		{"bad AUTH= mailbox", func() error { return c.Mail(ctx, "a@b.test", &MailOptions{Auth: "x y"}) }},
		{"bad BODY", func() error { return c.Mail(ctx, "a@b.test", &MailOptions{Body: "8BITMIME SMTPUTF8"}) }},
		{"bad RET", func() error { return c.Mail(ctx, "a@b.test", &MailOptions{Return: "FULL\r\n"}) }},
		{"negative SIZE", func() error { return c.Mail(ctx, "a@b.test", &MailOptions{Size: -1}) }},
		{"ENVID too long", func() error { return c.Mail(ctx, "a@b.test", &MailOptions{EnvelopeID: strings.Repeat("x", 101)}) }},
		{"EHLO name with CRLF", func() error { return c.Hello(ctx, "x\r\nMAIL FROM:<>") }},
		{"EHLO name with space", func() error { return c.Hello(ctx, "a b") }},
		{"VRFY with CRLF", func() error { return c.Verify(ctx, "bob\r\nQUIT") }},
		{"VRFY empty", func() error { return c.Verify(ctx, "") }},
		{"Send recipient with LF", func() error {
			return c.Send(ctx, "a@b.test", []string{"c@d.test\nDATA"}, strings.NewReader(""), nil)
		}},
		{"Send null recipient", func() error { return c.Send(ctx, "a@b.test", []string{""}, strings.NewReader(""), nil) }},
		{"Send no recipient", func() error { return c.Send(ctx, "a@b.test", nil, strings.NewReader(""), nil) }},
	} {
		assert.ErrorIs(t, tc.call(), ErrInvalidArgument, tc.name)
	}
	for _, opts := range []*RcptOptions{
		{Notify: []DSNNotify{NotifyNever, NotifySuccess}},
		{Notify: []DSNNotify{NotifyDelay, NotifyDelay}},
		{Notify: []DSNNotify{"DELAY\r\n"}},
		{OriginalRecipientType: "rfc 822", OriginalRecipient: "x@y.test"},
		{OriginalRecipientType: "rfc822"},
	} {
		_, err := c.rcptLine("c@d.test", opts, false)
		assert.ErrorIs(t, err, ErrInvalidArgument, "%+v", opts)
	}
	assert.Len(t, rc.Writes(), before, "a refused argument was sent")
	require.NoError(t, c.Noop(ctx), "the session is still usable")
}

func TestClient_MailRcptParameters(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{}
	c, _ := greetedClient(t, f)
	require.NoError(t, c.Mail(ctx, "jörg@bücher.test", &MailOptions{
		Size: 1234, Body: Body8BitMIME, UTF8: true, Return: ReturnHeaders,
		EnvelopeID: "id+1=x y", Auth: "<>",
	}))
	require.NoError(t, c.Rcpt(ctx, "zoë@b.test", &RcptOptions{
		Notify:                []DSNNotify{NotifySuccess, NotifyFailure},
		OriginalRecipientType: "utf-8", OriginalRecipient: "zoë@b.test",
	}))
	require.NoError(t, c.Rcpt(ctx, "Postmaster", &RcptOptions{Notify: []DSNNotify{NotifyNever}}))
	lines := f.Lines()
	assert.Equal(t, "MAIL FROM:<jörg@bücher.test> SIZE=1234 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+2B1+3Dx+20y AUTH=<>", lines[1])
	assert.Equal(t, "RCPT TO:<zoë@b.test> NOTIFY=SUCCESS,FAILURE ORCPT=utf-8;zo+C3+AB@b.test", lines[2])
	assert.Equal(t, "RCPT TO:<Postmaster> NOTIFY=NEVER", lines[3])

	// What the client sends, the package's own parser reads back.
	path, mo, r := parseMailArg([]byte(strings.TrimPrefix(lines[1], "MAIL ")), true)
	require.Nil(t, r)
	assert.Equal(t, "jörg@bücher.test", path)
	assert.Equal(t, &MailOptions{Size: 1234, Body: Body8BitMIME, UTF8: true, Return: ReturnHeaders, EnvelopeID: "id+1=x y", Auth: "<>"}, mo)
	path, ro, r := parseRcptArg([]byte(strings.TrimPrefix(lines[2], "RCPT ")), true)
	require.Nil(t, r)
	assert.Equal(t, "zoë@b.test", path)
	assert.Equal(t, "zoë@b.test", ro.OriginalRecipient)
}

func TestClient_RFC1870_SizeOmittedWhenNotOffered(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{ext: []string{"8BITMIME"}}
	c, _ := greetedClient(t, f)
	require.NoError(t, c.Mail(ctx, "", &MailOptions{Size: 99, Body: Body7Bit}))
	assert.Equal(t, "MAIL FROM:<>", f.Lines()[1])
}

func TestClient_RFC5321_4_1_1_6_Verify(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{replies: map[string]string{"VRFY nobody": "550 5.1.1 No such user"}}
	c, _ := greetedClient(t, f)
	require.NoError(t, c.Verify(ctx, "alice@b.test"))
	require.NoError(t, c.Verify(ctx, `"John Smith"`))
	assert.Equal(t, CodeMailboxUnavailable, asReply(t, c.Verify(ctx, "nobody")).Code)
}

func TestClient_RFC5321_4_1_1_10_Quit(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{}
	c, _ := greetedClient(t, f)
	require.NoError(t, c.Reset(ctx))
	require.NoError(t, c.Noop(ctx))
	require.NoError(t, c.Quit(ctx))
	assert.Equal(t, []string{"EHLO client.test", "RSET", "NOOP", "QUIT"}, f.Lines())
	assert.Error(t, c.Noop(ctx))
	assert.NoError(t, c.Close())
}

func TestClient_RFC5321_3_8_Reply421BreaksClient(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{replies: map[string]string{"NOOP": "421 4.4.2 Timeout, closing"}}
	c, _ := greetedClient(t, f)
	r := asReply(t, c.Noop(ctx))
	assert.Equal(t, CodeServiceNotAvailable, r.Code)
	assert.Equal(t, CodeServiceNotAvailable, asReply(t, c.Reset(ctx)).Code, "later calls repeat the 421")
}

func TestClient_ContextCancelUnblocks(t *testing.T) {
	f := &fakeServer{silent: true}
	c, _ := fakeClient(t, f, nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	err := c.Hello(ctx, "client.test")
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, c.Noop(context.Background()), context.Canceled, "the client stays broken")

	f2 := &fakeServer{silent: true}
	c2, _ := fakeClient(t, f2, nil)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	require.ErrorIs(t, c2.Hello(ctx2, "client.test"), context.DeadlineExceeded)

	c3, rc := fakeClient(t, &fakeServer{}, nil)
	done, cancel3 := context.WithCancel(context.Background())
	cancel3()
	n := len(rc.Writes())
	require.ErrorIs(t, c3.Hello(done, ""), context.Canceled)
	assert.Len(t, rc.Writes(), n, "a done context sends nothing")
	require.NoError(t, c3.Hello(context.Background(), ""), "and does not break the client")
}

func TestClient_RFC5321_4_2_1_MalformedReplyBreaksClient(t *testing.T) {
	ctx := context.Background()
	long := make([]string, 150)
	for i := range long {
		long[i] = "250-x"
	}
	long[149] = "250 x"
	for name, reply := range map[string]string{
		"too many lines": strings.Join(long, "\n"),
		"line too long":  "250 " + strings.Repeat("x", 5000),
		"not a reply":    "hello",
		"mixed codes":    "250-a\n251 b",
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := greetedClient(t, &fakeServer{replies: map[string]string{"NOOP": reply}})
			err := c.Noop(ctx)
			require.ErrorIs(t, err, ErrMalformedReply)
			require.ErrorIs(t, c.Noop(ctx), ErrMalformedReply)
		})
	}
}

// Debug is set at NewClient, so it sees the greeting too.
func TestClient_DebugTrace(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{ext: []string{"ENHANCEDSTATUSCODES"}}
	var trace bytes.Buffer
	c, _ := fakeClient(t, f, &Options{Debug: &trace})
	require.NoError(t, c.Hello(ctx, "client.test"))
	require.NoError(t, c.Send(ctx, "a@b.test", []string{"c@d.test"}, strings.NewReader("Subject: hi\r\n"), nil))
	assert.Equal(t, `S: 220 fake.test ESMTP
C: EHLO client.test
S: 250-fake.test greets client.test
S: 250 ENHANCEDSTATUSCODES
C: MAIL FROM:<a@b.test>
S: 250 2.1.0 Ok
C: RCPT TO:<c@d.test>
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: [13 octets]
C: .
S: 250 2.0.0 Ok: queued as 1234
`, trace.String())
}
