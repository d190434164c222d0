package smtp

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/peertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests deliver with the Client to Postfix's smtp-sink, a third-party
// server, on 127.0.0.1. smtp-sink dumps every transaction to a file (-d):
// the envelope as X-Mail-Args and X-Rcpt-Args lines, then the message with
// LF line ends, which the tests compare with what was sent.

// startSink runs smtp-sink with args on a free port and returns its
// address and dump directory.
func startSink(t *testing.T, args ...string) (addr, dir string) {
	t.Helper()
	bin := peertest.Need(t, "smtp-sink")
	// smtp-sink drops root privileges to -u's user, who must be able to
	// write the dumps: t.TempDir's parents are private, so use /tmp.
	dir, err := os.MkdirTemp("", "mailwire-smtp-sink-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o777))
	t.Cleanup(func() { os.RemoveAll(dir) })
	addr = peertest.FreeAddr(t)
	if os.Geteuid() == 0 {
		args = append(args, "-u", "nobody")
	}
	args = append(args, "-d", dir+"/%Y%m%d%H%M%S.", addr, "100")
	cmd := exec.Command(bin, args...)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("smtp-sink output:\n%s", out)
		}
	})
	peertest.WaitListening(t, addr, 10*time.Second)
	return addr, dir
}

// sinkDump is one transaction as smtp-sink wrote it.
type sinkDump struct {
	proto, mail string
	rcpts       []string
	body        string // LF line ends
}

// readDumps waits until dir holds n dumps and parses them, oldest first
// by envelope sender (the tests give each message its own sender).
func readDumps(t *testing.T, dir string, n int) []sinkDump {
	t.Helper()
	var files []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		files, _ = filepath.Glob(filepath.Join(dir, "*"))
		if len(files) >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.Len(t, files, n)
	var dumps []sinkDump
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var d sinkDump
		lines := strings.SplitAfter(string(raw), "\n")
		i := 0
		for ; i < len(lines); i++ {
			l := strings.TrimSuffix(lines[i], "\n")
			if v, ok := strings.CutPrefix(l, "X-Client-Proto: "); ok {
				d.proto = v
			} else if v, ok := strings.CutPrefix(l, "X-Mail-Args: "); ok {
				d.mail = v
			} else if v, ok := strings.CutPrefix(l, "X-Rcpt-Args: "); ok {
				d.rcpts = append(d.rcpts, v)
			} else if strings.HasPrefix(l, "Received: ") {
				for i++; i < len(lines) && strings.HasPrefix(lines[i], "\t"); i++ {
				}
				break
			}
		}
		// The message, then one empty line that smtp-sink adds.
		d.body = strings.TrimSuffix(strings.Join(lines[i:], ""), "\n")
		dumps = append(dumps, d)
	}
	sort.Slice(dumps, func(i, j int) bool { return dumps[i].mail < dumps[j].mail })
	return dumps
}

func TestClientPeer_SmtpSink_RFC2920_PipelinedSession(t *testing.T) {
	addr, dir := startSink(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	require.NoError(t, err)
	rc := &recConn{Conn: conn}
	c, err := NewClient(ctx, rc, nil)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Hello(ctx, "client.test"))
	require.True(t, c.Supports("PIPELINING"), "smtp-sink offers PIPELINING")
	require.NoError(t, c.Auth(ctx, PlainAuth("", "alice", "secret")))

	const messages = 5
	want := map[string]string{}
	for i := range messages {
		from := fmt.Sprintf("sender%d@client.test", i)
		to := []string{fmt.Sprintf("a%d@sink.test", i), fmt.Sprintf("b%d@sink.test", i), "Postmaster"}
		msg := fmt.Sprintf("From: <%s>\r\nSubject: message %d\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nlast line %d\r\n", from, i, i)
		require.NoError(t, c.Send(ctx, from, to, strings.NewReader(msg), &MailOptions{Body: Body8BitMIME}))
		want[from] = strings.ReplaceAll(msg, "\r\n", "\n")
	}
	// DSN parameters (RFC 3461) reach the server as given.
	require.NoError(t, c.Mail(ctx, "sender9@client.test", &MailOptions{Return: ReturnHeaders, EnvelopeID: "id 9"}))
	require.NoError(t, c.Rcpt(ctx, "dsn@sink.test", &RcptOptions{Notify: []DSNNotify{NotifyFailure}, OriginalRecipient: "dsn@sink.test"}))
	w, err := c.Data(ctx)
	require.NoError(t, err)
	_, err = w.Write([]byte("Subject: dsn\r\n\r\nx\r\n"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	assert.Contains(t, w.Reply().Text(), "Ok")
	require.NoError(t, c.Noop(ctx))
	require.NoError(t, c.Verify(ctx, "alice@sink.test"))
	require.NoError(t, c.Quit(ctx))

	pipelined := 0
	for _, wr := range rc.Writes() {
		if strings.HasPrefix(wr, "MAIL FROM:") && strings.HasSuffix(wr, "DATA\r\n") && strings.Count(wr, "RCPT TO:") == 3 {
			pipelined++
		}
	}
	assert.Equal(t, messages, pipelined, "each Send went out as one MAIL+RCPT+DATA write")

	dumps := readDumps(t, dir, messages+1)
	for i, d := range dumps[:messages] {
		from := fmt.Sprintf("sender%d@client.test", i)
		assert.Equal(t, "ESMTP", d.proto)
		assert.Equal(t, "<"+from+"> BODY=8BITMIME", d.mail)
		assert.Equal(t, []string{fmt.Sprintf("<a%d@sink.test>", i), fmt.Sprintf("<b%d@sink.test>", i), "<Postmaster>"}, d.rcpts)
		assert.Equal(t, want[from], d.body, "message %d arrived unchanged", i)
	}
	dsn := dumps[messages]
	assert.Equal(t, "<sender9@client.test> RET=HDRS ENVID=id+209", dsn.mail)
	assert.Equal(t, []string{"<dsn@sink.test> NOTIFY=FAILURE ORCPT=rfc822;dsn@sink.test"}, dsn.rcpts)
}

func TestClientPeer_SmtpSink_RFC2033_LMTP(t *testing.T) {
	addr, dir := startSink(t, "-L")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	require.NoError(t, err)
	c, err := NewLMTPClient(ctx, conn, nil)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Hello(ctx, "client.test"))
	for i := range 3 {
		from := fmt.Sprintf("lmtp%d@client.test", i)
		require.NoError(t, c.Send(ctx, from, []string{"x@sink.test", "y@sink.test"}, strings.NewReader("Subject: lmtp\r\n\r\nhi\r\n"), nil))
	}
	require.NoError(t, c.Mail(ctx, "lmtp9@client.test", nil))
	require.NoError(t, c.Rcpt(ctx, "x@sink.test", nil))
	require.NoError(t, c.Rcpt(ctx, "y@sink.test", nil))
	w, err := c.LMTPData(ctx)
	require.NoError(t, err)
	_, err = w.Write([]byte("Subject: lmtp\r\n\r\nhi\r\n"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	assert.Len(t, w.RecipientReplies(), 2, "one reply per recipient (RFC 2033 4.2)")
	require.NoError(t, c.Quit(ctx))

	for _, d := range readDumps(t, dir, 4) {
		assert.Equal(t, "LMTP", d.proto)
		assert.Equal(t, []string{"<x@sink.test>", "<y@sink.test>"}, d.rcpts)
		assert.Equal(t, "Subject: lmtp\n\nhi\n", d.body)
	}
}

func TestClientPeer_SmtpSink_Refusals(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	t.Run("every RCPT refused", func(t *testing.T) {
		addr, _ := startSink(t, "-f", "RCPT")
		c, err := Dial(ctx, addr, nil)
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, c.Hello(ctx, ""))
		err = c.Send(ctx, "a@client.test", []string{"x@sink.test", "y@sink.test"}, strings.NewReader("x\r\n"), nil)
		var se *SendError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 0, se.Delivered)
		assert.Len(t, se.Failed, 2)
		assert.True(t, se.Failed[0].Reply.Permanent())
		require.NoError(t, c.Quit(ctx))
	})
	t.Run("421 after DATA", func(t *testing.T) {
		addr, _ := startSink(t, "-Q", "DATA")
		c, err := Dial(ctx, addr, nil)
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, c.Hello(ctx, ""))
		err = c.Send(ctx, "a@client.test", []string{"x@sink.test"}, strings.NewReader("x\r\n"), nil)
		assert.Equal(t, CodeServiceNotAvailable, asReply(t, err).Code)
		assert.Error(t, c.Noop(ctx), "the server closed the session")
	})
}

func TestClientPeer_SmtpSink_SendMail(t *testing.T) {
	addr, dir := startSink(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	msg := "Subject: SendMail\r\n\r\nHello.\r\n"
	require.NoError(t, SendMail(ctx, addr, LoginAuth("alice", "secret"), "a@client.test", []string{"b@sink.test"}, strings.NewReader(msg), nil))
	d := readDumps(t, dir, 1)[0]
	assert.Equal(t, "<a@client.test>", d.mail)
	assert.Equal(t, "Subject: SendMail\n\nHello.\n", d.body)
}
