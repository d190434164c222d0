package mda

import (
	"context"
	"errors"
	"io"
	"net"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/examples/internal/mailstore"
	"github.com/mailwire/mailwire/smtp"
)

// copies records what the agent delivers; a user in fail makes Deliver
// fail for them.
type copies struct {
	mu   sync.Mutex
	got  []delivered
	fail string
}

type delivered struct{ user, data string }

func (c *copies) Deliver(_ context.Context, user string, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if user == c.fail {
		return errors.New("disk full")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, delivered{user, string(data)})
	return nil
}

var stamp = time.Date(2024, 5, 1, 12, 0, 0, 0, time.FixedZone("", 2*3600))

// serve runs an SMTP server with an Agent for example.test whose users
// are alice, bob and postmaster.
func serve(t *testing.T, box *copies) string {
	t.Helper()
	users := mailstore.NewUsers("example.test")
	require.NoError(t, users.AddList("alice:secret,bob:hunter2,postmaster:pm"))
	srv := &smtp.Server{Domain: "example.test", Backend: &Agent{Domain: "example.test", Users: users, Mailboxes: box, Now: func() time.Time { return stamp }}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return l.Addr().String()
}

// TestRcpt follows RFC 5321: a local user is any address at the domain
// whose local part names a user (case aside), <Postmaster> is accepted
// without a domain (section 4.5.1), an unknown local user gets 550
// 5.1.1 and any other domain 550 5.7.1 (no open relay, RFC 3463 codes).
func TestRcpt(t *testing.T) {
	addr := serve(t, &copies{})
	ctx := context.Background()
	c, err := smtp.Dial(ctx, addr, nil)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Hello(ctx, "client.example.org"))
	require.NoError(t, c.Mail(ctx, "carol@example.org", nil))
	for _, tc := range []struct {
		rcpt     string
		code     int
		enhanced smtp.EnhancedCode
	}{
		{"alice@example.test", 250, smtp.EnhancedCode{}},
		{"ALICE@Example.TEST", 250, smtp.EnhancedCode{}},
		{"Postmaster", 250, smtp.EnhancedCode{}},
		{"postmaster@example.test", 250, smtp.EnhancedCode{}},
		{"nobody@example.test", 550, smtp.EnhancedCode{5, 1, 1}},
		{"alice@elsewhere.example", 550, smtp.EnhancedCode{5, 7, 1}},
		{"alice@mail.example.test", 550, smtp.EnhancedCode{5, 7, 1}},
	} {
		err := c.Rcpt(ctx, tc.rcpt, nil)
		if tc.code == 250 {
			require.NoError(t, err, tc.rcpt)
			continue
		}
		var r *smtp.Reply
		require.ErrorAs(t, err, &r, tc.rcpt)
		require.Equal(t, tc.code, r.Code, tc.rcpt)
		require.Equal(t, tc.enhanced, r.Enhanced, tc.rcpt)
	}
}

// chat runs a raw SMTP exchange, each command expecting a reply code.
func chat(t *testing.T, addr string, steps ...string) {
	t.Helper()
	conn, err := textproto.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, _, err = conn.ReadResponse(220)
	require.NoError(t, err)
	for i := 0; i < len(steps); i += 2 {
		require.NoError(t, conn.PrintfLine("%s", steps[i]))
		code, err := strconv.Atoi(steps[i+1])
		require.NoError(t, err)
		_, msg, err := conn.ReadResponse(code)
		require.NoError(t, err, "%s: %s", steps[i], msg)
	}
}

var idRE = regexp.MustCompile(` id ([0-9A-F]{16})\r\n`)

// TestTrace checks the trace headers byte for byte (RFC 5321 section
// 4.4): Return-Path with the reverse path, <> included, and a Received
// line whose "with" is SMTP after HELO and ESMTP after EHLO (RFC 3848),
// one copy per recipient, each with its own "for", and one id for the
// transaction.
func TestTrace(t *testing.T) {
	const body = "Subject: hi\r\n\r\nhello\r\n"
	for _, tc := range []struct{ hello, from, with, path string }{
		{"HELO old.example.org", "MAIL FROM:<carol@example.org>", "SMTP", "carol@example.org"},
		{"EHLO new.example.org", "MAIL FROM:<>", "ESMTP", ""},
	} {
		box := &copies{}
		addr := serve(t, box)
		chat(t, addr, tc.hello, "250", tc.from, "250",
			"RCPT TO:<alice@example.test>", "250", "RCPT TO:<Bob@example.test>", "250",
			"DATA", "354", strings.TrimSuffix(body, "\r\n")+"\r\n.", "250", "QUIT", "221")
		require.Len(t, box.got, 2, tc.with)
		m := idRE.FindStringSubmatch(box.got[0].data)
		require.NotNil(t, m, box.got[0].data)
		helo := strings.Fields(tc.hello)[1]
		for i, rc := range []struct{ user, addr string }{{"alice", "alice@example.test"}, {"bob", "Bob@example.test"}} {
			want := "Return-Path: <" + tc.path + ">\r\n" +
				"Received: from " + helo + " ([127.0.0.1])\r\n" +
				"\tby example.test (mailwire) with " + tc.with + " id " + m[1] + "\r\n" +
				"\tfor <" + rc.addr + ">; Wed, 01 May 2024 12:00:00 +0200\r\n" + body
			require.Equal(t, delivered{rc.user, want}, box.got[i], tc.with)
		}
	}
}

// TestDeliverFailure: the 250 to DATA is given only once every copy is
// stored; a failed copy makes DATA fail with a transient reply, so the
// client keeps the message and retries (RFC 5321 section 4.2.5).
func TestDeliverFailure(t *testing.T) {
	box := &copies{fail: "bob"}
	addr := serve(t, box)
	err := smtp.SendMail(context.Background(), addr, nil, "carol@example.org",
		[]string{"alice@example.test", "bob@example.test"}, strings.NewReader("Subject: x\r\n\r\nx\r\n"), nil)
	var r *smtp.Reply
	require.ErrorAs(t, err, &r)
	require.Equal(t, 4, r.Code/100, r.Error())
}

// TestTraceHeader covers the TCP-info forms of RFC 5321 section 4.4: an
// IPv6 client is an "IPv6:" address literal, a client that gave no HELO
// is "unknown", and without a TCP address there is no TCP-info.
func TestTraceHeader(t *testing.T) {
	for _, tc := range []struct {
		helo   string
		remote net.Addr
		from   string
	}{
		{"", &net.TCPAddr{IP: net.IPv6loopback, Port: 25}, "from unknown ([IPv6:::1])"},
		{"x.example", &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 25}, "from x.example ([192.0.2.1])"},
		{"x.example", &net.UnixAddr{Name: "/run/smtp", Net: "unix"}, "from x.example\r\n"},
	} {
		tr := trace{from: "a@b.example", helo: tc.helo, remote: tc.remote, by: "example.test", with: "ESMTPS", id: "ID", rcpt: "alice@example.test", date: stamp}
		h := tr.header()
		require.True(t, strings.HasPrefix(h, "Return-Path: <a@b.example>\r\nReceived: "+tc.from), h)
		require.True(t, strings.HasSuffix(h, "by example.test (mailwire) with ESMTPS id ID\r\n\tfor <alice@example.test>; Wed, 01 May 2024 12:00:00 +0200\r\n"), h)
	}
	require.NotEqual(t, newID(), newID())
}

// TestAuthPlain: the users may authenticate (RFC 4954), with no
// authorization identity or their own; another identity is refused with
// 535 5.7.8.
func TestAuthPlain(t *testing.T) {
	users := mailstore.NewUsers("example.test")
	require.NoError(t, users.AddList("alice:secret,bob:hunter2"))
	s := &session{a: &Agent{Domain: "example.test", Users: users}}
	require.NoError(t, s.AuthPlain(context.Background(), "", "alice", "secret"))
	require.NoError(t, s.AuthPlain(context.Background(), "alice@example.test", "alice", "secret"))
	for _, tc := range [][3]string{{"", "alice", "wrong"}, {"bob", "alice", "secret"}, {"", "carol", "secret"}} {
		var r *smtp.Reply
		require.ErrorAs(t, s.AuthPlain(context.Background(), tc[0], tc[1], tc[2]), &r, tc)
		require.Equal(t, 535, r.Code)
		require.Equal(t, smtp.EnhancedCode{5, 7, 8}, r.Enhanced)
	}
}
