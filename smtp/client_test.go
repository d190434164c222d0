package smtp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/dotstream"
	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fakeClient(t *testing.T, f *fakeServer, lmtp bool) (*Client, *recConn) {
	t.Helper()
	rc := f.start(t)
	newc := NewClient
	if lmtp {
		newc = NewLMTPClient
	}
	c, err := newc(context.Background(), rc)
	require.NoError(t, err)
	return c, rc
}

func greetedClient(t *testing.T, f *fakeServer) (*Client, *recConn) {
	t.Helper()
	if f.ext == nil {
		f.ext = standardExt
	}
	c, rc := fakeClient(t, f, f.lmtp)
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
	_, _ = fakeClient(t, &fakeServer{}, false)

	rc := (&fakeServer{greeting: "554 5.3.2 no SMTP service here"}).start(t)
	_, err := NewClient(context.Background(), rc)
	r := asReply(t, err)
	assert.Equal(t, CodeTransactionFailed, r.Code)
	assert.Equal(t, EnhancedCode{5, 3, 2}, r.Enhanced)
}

func TestClient_RFC5321_4_1_1_1_EHLOExtensions(t *testing.T) {
	f := &fakeServer{ext: []string{"SIZE 1000", "pipelining", "AUTH=LOGIN PLAIN", "STARTTLS"}}
	c, rc := fakeClient(t, f, false)
	c.LocalName = "me.example"
	require.NoError(t, c.Hello(context.Background(), ""))
	assert.Equal(t, []string{"EHLO me.example"}, f.Lines())
	n, ok := c.MaxMessageSize()
	assert.True(t, ok)
	assert.EqualValues(t, 1000, n)
	p, ok := c.Extension("size")
	assert.True(t, ok)
	assert.Equal(t, "1000", p)
	_, ok = c.Extension("PIPELINING")
	assert.True(t, ok)
	p, ok = c.Extension("AUTH")
	assert.True(t, ok, "pre-standard AUTH= is read as AUTH")
	assert.Equal(t, "LOGIN PLAIN", p)
	_, ok = c.Extension("CHUNKING")
	assert.False(t, ok)
	assert.Equal(t, "EHLO me.example\r\n", rc.Writes()[0])
}

func TestClient_RFC1870_4_SizeZeroIsNoLimit(t *testing.T) {
	c, _ := greetedClient(t, &fakeServer{ext: []string{"SIZE 0"}})
	_, ok := c.MaxMessageSize()
	assert.False(t, ok)
}

func TestClient_RFC5321_3_2_HELOFallback(t *testing.T) {
	f := &fakeServer{} // no ext: 502 to EHLO
	c, _ := fakeClient(t, f, false)
	require.NoError(t, c.Hello(context.Background(), "client.test"))
	assert.Equal(t, []string{"EHLO client.test", "HELO client.test"}, f.Lines())
	_, ok := c.Extension("PIPELINING")
	assert.False(t, ok)
	// The session works without extensions, one command at a time.
	require.NoError(t, c.Send(context.Background(), "a@b.test", []string{"c@d.test"}, strings.NewReader("Hi\r\n"), nil))
	assert.Equal(t, "Hi\r\n", f.Messages()[0].data)
}

func TestClient_RFC5321_4_1_4_OutOfSequenceWritesNothing(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{ext: []string{"PIPELINING"}, replies: map[string]string{"RCPT TO:<bad@d.test>": "550 5.1.1 No such user"}}
	c, rc := fakeClient(t, f, false)

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
	require.ErrorIs(t, c.Noop(ctx), net.ErrClosed, "NOOP after QUIT")
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

func TestClient_RFC5321_4_5_2_DotStuffing(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{}
	c, _ := greetedClient(t, f)
	require.NoError(t, c.Mail(ctx, "a@b.test", nil))
	require.NoError(t, c.Rcpt(ctx, "c@d.test", nil))
	w, err := c.Data(ctx)
	require.NoError(t, err)
	msg := "Subject: dots\r\n\r\n.\r\n..two\r\nend"
	for _, b := range []byte(msg) { // byte by byte: stuffing must survive any split
		_, err := w.Write([]byte{b})
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	assert.Equal(t, "250 2.0.0 Ok: queued as 1234", w.Reply().Error())
	assert.Contains(t, f.Raw(), "\r\n..\r\n...two\r\nend\r\n.\r\n")
	assert.Equal(t, msg+"\r\n", f.Messages()[0].data)
	require.NoError(t, c.Noop(ctx), "the transaction ended, the session goes on")
}

func TestClient_BareLineEndsRefused_Smuggling(t *testing.T) {
	for _, tc := range []struct {
		name, msg string
		want      error
	}{
		{"bare LF", "Subject: x\r\n\r\nline\n.\nMAIL FROM:<evil@x.test>\r\n", dotstream.ErrBareLF},
		{"bare CR", "Subject: x\r\n\r\nline\r.\rX\r\n", dotstream.ErrBareCR},
		{"bare CR at the end", "Subject: x\r\n\r\nline\r", dotstream.ErrBareCR},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := &fakeServer{}
			c, _ := greetedClient(t, f)
			err := c.Send(ctx, "a@b.test", []string{"c@d.test"}, strings.NewReader(tc.msg), nil)
			require.ErrorIs(t, err, tc.want)
			require.Error(t, c.Noop(ctx), "the client is broken")
			<-f.done
			msgs := f.Messages()
			require.Len(t, msgs, 1)
			assert.False(t, msgs[0].ended, "the terminator was sent: the server would deliver")
		})
	}
}

func TestClient_NormalizeNewlines(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{}
	c, _ := greetedClient(t, f)
	c.NormalizeNewlines = true
	require.NoError(t, c.Send(ctx, "a@b.test", []string{"c@d.test"}, strings.NewReader("A: b\n\nx\r.\ny"), nil))
	assert.Equal(t, "A: b\r\n\r\nx\r\n.\r\ny\r\n", f.Messages()[0].data)
}

func TestClient_RFC2920_3_1_PipelinedSend(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{replies: map[string]string{"RCPT TO:<gone@d.test>": "550 5.1.1 <gone@d.test> no such user"}}
	c, rc := greetedClient(t, f)
	before := len(rc.Writes())
	err := c.Send(ctx, "a@b.test", []string{"one@d.test", "gone@d.test", "two@d.test"}, strings.NewReader("Hi\r\n"), nil)

	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 2, se.Delivered)
	require.Len(t, se.Failed, 1)
	assert.Equal(t, "gone@d.test", se.Failed[0].Recipient)
	r := asReply(t, err)
	assert.Equal(t, CodeMailboxUnavailable, r.Code)

	writes := rc.Writes()[before:]
	assert.Equal(t, "MAIL FROM:<a@b.test>\r\nRCPT TO:<one@d.test>\r\nRCPT TO:<gone@d.test>\r\nRCPT TO:<two@d.test>\r\nDATA\r\n", writes[0],
		"MAIL, RCPTs and DATA go in one write")
	m := f.Messages()[0]
	assert.Equal(t, "Hi\r\n", m.data)
	require.NoError(t, c.Send(ctx, "a@b.test", []string{"one@d.test"}, strings.NewReader("Again\r\n"), nil))
	assert.Len(t, f.Messages(), 2)
}

func TestClient_RFC2920_3_1_PipelinedRefusals(t *testing.T) {
	ctx := context.Background()
	t.Run("MAIL refused", func(t *testing.T) {
		f := &fakeServer{replies: map[string]string{"MAIL FROM:<spam@b.test>": "550 5.7.1 Sender refused"}}
		c, _ := greetedClient(t, f)
		err := c.Send(ctx, "spam@b.test", []string{"c@d.test"}, strings.NewReader("x\r\n"), nil)
		assert.Equal(t, CodeMailboxUnavailable, asReply(t, err).Code)
		assert.Empty(t, f.Messages())
		require.NoError(t, c.Send(ctx, "ok@b.test", []string{"e@d.test"}, strings.NewReader("x\r\n"), nil))
	})
	t.Run("every RCPT refused", func(t *testing.T) {
		f := &fakeServer{replies: map[string]string{
			"RCPT TO:<x@d.test>": "550 5.1.1 No",
			"RCPT TO:<y@d.test>": "450 4.2.1 Later",
		}}
		c, _ := greetedClient(t, f)
		err := c.Send(ctx, "a@b.test", []string{"x@d.test", "y@d.test"}, strings.NewReader("x\r\n"), nil)
		var se *SendError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 0, se.Delivered)
		assert.Len(t, se.Failed, 2)
		assert.Equal(t, "RSET", f.Lines()[len(f.Lines())-1])
		assert.Empty(t, f.Messages())
		require.NoError(t, c.Noop(ctx))
	})
	t.Run("server takes DATA with no recipient", func(t *testing.T) {
		f := &fakeServer{lenientData: true, replies: map[string]string{"RCPT TO:<x@d.test>": "550 5.1.1 No"}}
		c, _ := greetedClient(t, f)
		err := c.Send(ctx, "a@b.test", []string{"x@d.test"}, strings.NewReader("secret\r\n"), nil)
		var se *SendError
		require.ErrorAs(t, err, &se)
		require.Len(t, f.Messages(), 1)
		assert.Equal(t, "", f.Messages()[0].data, "only an empty message may follow")
	})
	t.Run("DATA refused", func(t *testing.T) {
		f := &fakeServer{replies: map[string]string{"DATA": "451 4.3.0 Try later"}}
		c, _ := greetedClient(t, f)
		err := c.Send(ctx, "a@b.test", []string{"x@d.test"}, strings.NewReader("x\r\n"), nil)
		assert.Equal(t, CodeLocalError, asReply(t, err).Code)
		assert.Equal(t, "RSET", f.Lines()[len(f.Lines())-1])
	})
}

func TestClient_Send_WithoutPipelining(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{ext: []string{"8BITMIME"}, replies: map[string]string{"RCPT TO:<x@d.test>": "550 5.1.1 No"}}
	c, rc := greetedClient(t, f)
	before := len(rc.Writes())
	err := c.Send(ctx, "a@b.test", []string{"x@d.test", "y@d.test"}, strings.NewReader("x\r\n"), nil)
	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 1, se.Delivered)
	assert.Equal(t, []string{"MAIL FROM:<a@b.test>\r\n", "RCPT TO:<x@d.test>\r\n", "RCPT TO:<y@d.test>\r\n", "DATA\r\n"}, rc.Writes()[before:before+4])
}

func TestClient_RFC6531_3_4_SendTurnsOnSMTPUTF8(t *testing.T) {
	f := &fakeServer{}
	c, _ := greetedClient(t, f)
	require.NoError(t, c.Send(context.Background(), "a@b.test", []string{"δοκιμή@παράδειγμα.δοκιμή"}, strings.NewReader("x\r\n"), nil))
	assert.Equal(t, "MAIL FROM:<a@b.test> SMTPUTF8", f.Lines()[1])
}

func TestClient_RFC3030_2_Bdat(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{}
	c, rc := greetedClient(t, f)
	require.NoError(t, c.Mail(ctx, "a@b.test", nil))
	require.NoError(t, c.Rcpt(ctx, "c@d.test", nil))
	w, err := c.Bdat(ctx)
	require.NoError(t, err)
	body := bytes.Repeat([]byte("binary\x00\n.\r"), 30000) // 300000 octets, no stuffing
	_, err = w.Write(body)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	assert.Equal(t, string(body), f.Messages()[0].data)
	var cmds []string
	for _, l := range f.Lines() {
		if strings.HasPrefix(l, "BDAT") {
			cmds = append(cmds, l)
		}
	}
	assert.Equal(t, []string{"BDAT 131072", "BDAT 131072", "BDAT 37856 LAST"}, cmds)
	_ = rc
	require.NoError(t, c.Noop(ctx))

	// Send with BINARYMIME uses BDAT (RFC 3030 3).
	require.NoError(t, c.Send(ctx, "a@b.test", []string{"c@d.test"}, bytes.NewReader(body[:10]), &MailOptions{Body: BodyBinaryMIME}))
	assert.Equal(t, string(body[:10]), f.Messages()[1].data)
	assert.Contains(t, f.Lines(), "BDAT 10 LAST")
	assert.Contains(t, f.Lines(), "MAIL FROM:<a@b.test> BODY=BINARYMIME")
}

func TestClient_RFC3030_2_BdatChunkRefused(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{replies: map[string]string{"BDAT 131072": "552 5.3.4 Message too big"}}
	c, _ := greetedClient(t, f)
	require.NoError(t, c.Mail(ctx, "a@b.test", nil))
	require.NoError(t, c.Rcpt(ctx, "c@d.test", nil))
	w, err := c.Bdat(ctx)
	require.NoError(t, err)
	_, err = w.Write(make([]byte, 200000))
	assert.Equal(t, CodeExceededStorage, asReply(t, err).Code)
	_, err = w.Write([]byte("more"))
	require.Error(t, err, "no chunk may follow a refused one")
	assert.Equal(t, CodeExceededStorage, asReply(t, w.Close()).Code)
	lines := f.Lines()
	assert.Equal(t, "RSET", lines[len(lines)-1])
	require.NoError(t, c.Noop(ctx))
}

func TestClient_RFC2033_LMTP(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{lmtp: true, ext: []string{"PIPELINING", "ENHANCEDSTATUSCODES", "CHUNKING"},
		lmtpRefuse: map[string]bool{"full@d.test": true},
		replies:    map[string]string{"RCPT TO:<nobody@d.test>": "550 5.1.1 No such user"}}
	c, _ := greetedClient(t, f)
	assert.Equal(t, "LHLO client.test", f.Lines()[0])

	err := c.Send(ctx, "a@b.test", []string{"one@d.test", "nobody@d.test", "full@d.test", "two@d.test"}, strings.NewReader("x\r\n"), nil)
	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 2, se.Delivered)
	require.Len(t, se.Failed, 2)
	assert.Equal(t, "nobody@d.test", se.Failed[0].Recipient)
	assert.Equal(t, "full@d.test", se.Failed[1].Recipient)

	require.NoError(t, c.Mail(ctx, "a@b.test", nil))
	require.NoError(t, c.Rcpt(ctx, "one@d.test", nil))
	require.NoError(t, c.Rcpt(ctx, "full@d.test", nil))
	w, err := c.LMTPData(ctx)
	require.NoError(t, err)
	io.WriteString(w, "y\r\n")
	err = w.Close()
	require.ErrorAs(t, err, &se)
	replies := w.RecipientReplies()
	require.Len(t, replies, 2)
	assert.Equal(t, CodeOK, replies[0].Code)
	assert.Equal(t, CodeMailboxUnavailable, replies[1].Code)

	// LMTP with CHUNKING: one verdict per recipient after BDAT LAST.
	require.NoError(t, c.Mail(ctx, "a@b.test", nil))
	require.NoError(t, c.Rcpt(ctx, "one@d.test", nil))
	require.NoError(t, c.Rcpt(ctx, "two@d.test", nil))
	w, err = c.Bdat(ctx)
	require.NoError(t, err)
	io.WriteString(w, "z\r\n")
	require.NoError(t, w.Close())
	assert.Len(t, w.RecipientReplies(), 2)
	require.NoError(t, c.Quit(ctx))
}

func TestClient_RFC4954_Auth(t *testing.T) {
	ctx := context.Background()
	t.Run("PLAIN initial response", func(t *testing.T) {
		f := &fakeServer{}
		c, _ := greetedClient(t, f)
		var trace bytes.Buffer
		c.Debug = &trace
		require.NoError(t, c.Auth(ctx, PlainAuth("", "alice", "secret")))
		assert.Equal(t, "AUTH PLAIN AGFsaWNlAHNlY3JldA==", f.Lines()[1])
		assert.Contains(t, trace.String(), "C: AUTH PLAIN <redacted>\n")
		assert.NotContains(t, trace.String(), "AGFsaWNlAHNlY3JldA")
		assert.Contains(t, trace.String(), "S: 235 2.7.0 Authentication successful\n")
		require.NoError(t, c.Send(ctx, "a@b.test", []string{"c@d.test"}, strings.NewReader("x\r\n"), nil))
	})
	t.Run("LOGIN challenges", func(t *testing.T) {
		f := &fakeServer{}
		c, _ := greetedClient(t, f)
		var trace bytes.Buffer
		c.Debug = &trace
		require.NoError(t, c.Auth(ctx, LoginAuth("alice", "secret")))
		assert.Equal(t, []string{"AUTH LOGIN", "YWxpY2U=", "c2VjcmV0"}, f.Lines()[1:4])
		assert.NotContains(t, trace.String(), "c2VjcmV0")
		assert.Contains(t, trace.String(), "C: <redacted>\n")
	})
	t.Run("wrong password", func(t *testing.T) {
		c, _ := greetedClient(t, &fakeServer{})
		r := asReply(t, c.Auth(ctx, PlainAuth("", "alice", "nope")))
		assert.Equal(t, CodeAuthInvalid, r.Code)
		assert.Equal(t, EnhancedCode{5, 7, 8}, r.Enhanced)
		require.NoError(t, c.Noop(ctx))
	})
	t.Run("malformed challenge cancels with *", func(t *testing.T) {
		f := &fakeServer{}
		c, _ := greetedClient(t, f)
		err := c.Auth(ctx, &scriptedSASL{mech: "X-NOTBASE64"})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "cancelled")
		assert.Equal(t, "*", f.Lines()[len(f.Lines())-1])
		require.NoError(t, c.Noop(ctx))
	})
	t.Run("client error cancels with *", func(t *testing.T) {
		f := &fakeServer{}
		c, _ := greetedClient(t, f)
		boom := errors.New("no answer")
		err := c.Auth(ctx, &scriptedSASL{mech: "LOGIN", err: boom})
		require.ErrorIs(t, err, boom)
		assert.Equal(t, []string{"AUTH LOGIN", "*"}, f.Lines()[1:])
	})
	t.Run("empty initial response is =", func(t *testing.T) {
		f := &fakeServer{}
		c, _ := greetedClient(t, f)
		assert.Error(t, c.Auth(ctx, &scriptedSASL{mech: "PLAIN", ir: []byte{}}))
		assert.Equal(t, "AUTH PLAIN =", f.Lines()[1])
	})
	t.Run("mechanism not offered", func(t *testing.T) {
		c, rc := greetedClient(t, &fakeServer{})
		n := len(rc.Writes())
		require.ErrorIs(t, c.Auth(ctx, XOAuth2Auth("u", "t")), ErrClientState)
		require.ErrorIs(t, c.Auth(ctx, &scriptedSASL{mech: "bad mech"}), ErrInvalidArgument)
		assert.Len(t, rc.Writes(), n)
	})
}

// scriptedSASL is a SASL client for the error paths of Auth.
type scriptedSASL struct {
	mech string
	ir   []byte
	err  error
}

func (s *scriptedSASL) Start() (string, []byte, error) { return s.mech, s.ir, nil }
func (s *scriptedSASL) Next([]byte) ([]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	return []byte("x"), nil
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
	c, _ := fakeClient(t, f, false)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	err := c.Hello(ctx, "client.test")
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, c.Noop(context.Background()), context.Canceled, "the client stays broken")

	f2 := &fakeServer{silent: true}
	c2, _ := fakeClient(t, f2, false)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	require.ErrorIs(t, c2.Hello(ctx2, "client.test"), context.DeadlineExceeded)

	c3, rc := fakeClient(t, &fakeServer{}, false)
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
			require.ErrorIs(t, err, ErrReplyMalformed)
			require.ErrorIs(t, c.Noop(ctx), ErrReplyMalformed)
		})
	}
}

func TestClient_DebugTrace(t *testing.T) {
	ctx := context.Background()
	f := &fakeServer{ext: []string{"ENHANCEDSTATUSCODES"}}
	c, _ := fakeClient(t, f, false)
	var trace bytes.Buffer
	c.Debug = &trace
	require.NoError(t, c.Hello(ctx, "client.test"))
	require.NoError(t, c.Send(ctx, "a@b.test", []string{"c@d.test"}, strings.NewReader("Subject: hi\r\n"), nil))
	assert.Equal(t, `C: EHLO client.test
S: 250-fake.test greets client.test
S: 250 ENHANCEDSTATUSCODES
C: MAIL FROM:<a@b.test>
S: 250 2.1.0 Ok
C: RCPT TO:<c@d.test>
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: [13 octets of message data]
C: .
S: 250 2.0.0 Ok: queued as 1234
`, trace.String())
}

func TestClient_MessageReadErrorDeliversNothing(t *testing.T) {
	f := &fakeServer{}
	c, _ := greetedClient(t, f)
	boom := errors.New("disk gone")
	err := c.Send(context.Background(), "a@b.test", []string{"c@d.test"}, io.MultiReader(strings.NewReader("part\r\n"), &failingReader{boom}), nil)
	require.ErrorIs(t, err, boom)
	<-f.done
	assert.False(t, f.Messages()[0].ended)
}

type failingReader struct{ err error }

func (r *failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestClient_RFC3207_StartTLS(t *testing.T) {
	ctx := context.Background()
	pair, err := testcert.New()
	require.NoError(t, err)
	f := &fakeServer{tls: pair.ServerConfig()}
	c, _ := greetedClient(t, f)
	_, ok := c.TLSConnectionState()
	assert.False(t, ok)
	assert.ErrorIs(t, c.StartTLS(ctx, nil), ErrInvalidArgument, "no host name to verify")

	cfg := pair.ClientConfig()
	cfg.ServerName = "localhost"
	require.NoError(t, c.StartTLS(ctx, cfg))
	st, ok := c.TLSConnectionState()
	require.True(t, ok)
	assert.True(t, st.HandshakeComplete)
	assert.Equal(t, []string{"EHLO client.test", "STARTTLS", "EHLO client.test"}, f.Lines(), "EHLO again after TLS (4.2)")
	assert.ErrorIs(t, c.StartTLS(ctx, cfg), ErrClientState, "TLS is already on")
	require.NoError(t, c.Auth(ctx, PlainAuth("", "alice", "secret")))
	require.NoError(t, c.Send(ctx, "a@b.test", []string{"c@d.test"}, strings.NewReader("x\r\n"), nil))
	assert.Equal(t, "x\r\n", f.Messages()[0].data)
}

func TestClient_RFC3207_6_ResponseInjectionRefused(t *testing.T) {
	pair, err := testcert.New()
	require.NoError(t, err)
	f := &fakeServer{tls: pair.ServerConfig(), afterSTARTTLS: "\n250 2.1.0 injected before TLS"}
	c, _ := greetedClient(t, f)
	cfg := pair.ClientConfig()
	cfg.ServerName = "localhost"
	err = c.StartTLS(context.Background(), cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "after its STARTTLS reply")
	require.Error(t, c.Noop(context.Background()), "the connection is dropped")
}

func TestClient_RFC4954_NoCredentialsInCleartext(t *testing.T) {
	// A TCP peer that is not on loopback: the address is what matters.
	f := &fakeServer{ext: standardExt}
	rc := f.start(t)
	c, err := NewClient(context.Background(), remoteAddrConn{rc, &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 25}})
	require.NoError(t, err)
	require.NoError(t, c.Hello(context.Background(), ""))
	n := len(rc.Writes())
	require.ErrorIs(t, c.Auth(context.Background(), PlainAuth("", "alice", "secret")), ErrClientState)
	assert.Len(t, rc.Writes(), n)
	c.InsecureAuth = true
	require.NoError(t, c.Auth(context.Background(), PlainAuth("", "alice", "secret")))
}

type remoteAddrConn struct {
	net.Conn
	addr net.Addr
}

func (c remoteAddrConn) RemoteAddr() net.Addr { return c.addr }
