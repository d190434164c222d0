package smtp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/dotstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
	c, _ := greetedClientWith(t, f, &Options{NormalizeNewlines: true})
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
	assert.Equal(t, StateRcpt, c.state, "a refused first chunk leaves the transaction to RSET")
	_, err = w.Write([]byte("more"))
	require.Error(t, err, "no chunk may follow a refused one")
	assert.Equal(t, CodeExceededStorage, asReply(t, w.Close()).Code)
	lines := f.Lines()
	assert.Equal(t, "RSET", lines[len(lines)-1])
	assert.Equal(t, StateReady, c.state)
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
