package mda

import (
	"context"
	"errors"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/smtp"
)

// TestRcpt_RFC5321 follows RFC 5321: a local user is any address at the
// domain whose local part names a user (case aside), <Postmaster> is
// accepted without a domain (section 4.5.1), an unknown local user gets
// 550 5.1.1 and any other domain 550 5.7.1 (no open relay, section
// 3.6.2; RFC 3463 codes).
func TestRcpt_RFC5321(t *testing.T) {
	addr := serve(t, &copies{}, t.TempDir(), false)
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

// chat runs a raw SMTP exchange, each command expecting a reply code;
// a step "=" reads one more reply without sending (LMTP's per-recipient
// replies to one message, RFC 2033 section 4.2).
func chat(t *testing.T, addr string, steps ...string) []string {
	t.Helper()
	conn, err := textproto.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, _, err = conn.ReadResponse(220)
	require.NoError(t, err)
	var replies []string
	for i := 0; i < len(steps); i += 2 {
		if steps[i] != "=" {
			require.NoError(t, conn.PrintfLine("%s", steps[i]))
		}
		code, err := strconv.Atoi(steps[i+1])
		require.NoError(t, err)
		_, msg, err := conn.ReadResponse(code)
		require.NoError(t, err, "%s: %s", steps[i], msg)
		replies = append(replies, msg)
	}
	return replies
}

var idRE = regexp.MustCompile(` id ([0-9A-F]{16})\r\n`)

const body = "Subject: hi\r\n\r\nhello\r\n"

// data is the DATA command and the message ending in CRLF "." CRLF.
var data = []string{"DATA", "354", strings.TrimSuffix(body, "\r\n") + "\r\n.", "250"}

// TestTrace_RFC5321_4_4 checks the trace fields byte for byte: the
// Return-Path with the reverse path, <> included, and a Received line
// whose "with" is SMTP after HELO and ESMTP after EHLO (RFC 3848), one
// copy per recipient, each with its own "for", and one id for the
// transaction.
func TestTrace_RFC5321_4_4(t *testing.T) {
	for _, tc := range []struct{ hello, from, with, path string }{
		{"HELO old.example.org", "MAIL FROM:<carol@example.org>", "SMTP", "carol@example.org"},
		{"EHLO new.example.org", "MAIL FROM:<>", "ESMTP", ""},
	} {
		box := &copies{}
		addr := serve(t, box, t.TempDir(), false)
		steps := append([]string{tc.hello, "250", tc.from, "250",
			"RCPT TO:<alice@example.test>", "250", "RCPT TO:<Bob@example.test>", "250"}, data...)
		chat(t, addr, append(steps, "QUIT", "221")...)
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
	require.NotEqual(t, newID(), newID())
}

// TestOneCopyPerUser_RFC5321_4_4: addresses that reach one user (two
// local parts of alice, in either order, with bob between them) give
// that user one copy, whose "for" names the first of them: RFC 5321
// section 4.4 allows exactly one path there, and since only alice reads
// the copy no other recipient is revealed (section 7.6).
func TestOneCopyPerUser_RFC5321_4_4(t *testing.T) {
	for _, tc := range []struct {
		rcpts []string
		want  []delivered // user and the address "for" names
	}{
		{[]string{"al@example.test", "bob@example.test", "alice@example.test"},
			[]delivered{{"alice", "al@example.test"}, {"bob", "bob@example.test"}}},
		{[]string{"bob@example.test", "alice.smith@example.test", "AL@example.test"},
			[]delivered{{"bob", "bob@example.test"}, {"alice", "alice.smith@example.test"}}},
		{[]string{"alice@example.test", "al@example.test"},
			[]delivered{{"alice", "alice@example.test"}}},
	} {
		box := &copies{}
		addr := serve(t, box, t.TempDir(), false)
		steps := []string{"EHLO c.example.org", "250", "MAIL FROM:<carol@example.org>", "250"}
		for _, rc := range tc.rcpts {
			steps = append(steps, "RCPT TO:<"+rc+">", "250")
		}
		chat(t, addr, append(steps, data...)...)
		require.Len(t, box.got, len(tc.want), tc.rcpts)
		for i, w := range tc.want {
			require.Equal(t, w.user, box.got[i].user, tc.rcpts)
			require.Contains(t, box.got[i].data, "\r\n\tfor <"+w.data+">; ", tc.rcpts)
			require.Equal(t, 1, strings.Count(box.got[i].data, "Received:"), tc.rcpts)
			require.True(t, strings.HasSuffix(box.got[i].data, "\r\n"+body), tc.rcpts)
		}
	}
}

// TestDeliverFailure_RFC5321_4_2_5: the 250 to DATA comes only once
// every copy is stored. A failed copy fails the message: with the
// *smtp.Reply the store returned, as it is, or with 451 4.3.0 (RFC 3463
// section 3.5) for any other error, so that the client keeps the message
// and retries. The spool file is gone either way.
func TestDeliverFailure_RFC5321_4_2_5(t *testing.T) {
	full := smtp.NewReply(452, smtp.EnhancedTempMailboxFull, "Mailbox full")
	for _, tc := range []struct {
		name     string
		err      error
		code     int
		enhanced smtp.EnhancedCode
		text     string
	}{
		{"plain error", errors.New("disk on fire"), 451, smtp.EnhancedCode{4, 3, 0}, "Local error in processing"},
		{"reply", full, 452, smtp.EnhancedCode{4, 2, 2}, "Mailbox full"},
		{"permanent reply", smtp.NewReply(552, smtp.EnhancedMailboxFull, "Over quota"), 552, smtp.EnhancedCode{5, 2, 2}, "Over quota"},
	} {
		spool := t.TempDir()
		box := &copies{fail: "bob", failErr: tc.err}
		addr := serve(t, box, spool, false)
		err := smtp.SendMail(context.Background(), addr, nil, "carol@example.org",
			[]string{"alice@example.test", "bob@example.test"}, strings.NewReader(body), nil)
		var r *smtp.Reply
		require.ErrorAs(t, err, &r, tc.name)
		require.Equal(t, tc.code, r.Code, tc.name)
		require.Equal(t, tc.enhanced, r.Enhanced, tc.name)
		require.Equal(t, tc.text, r.Text(), tc.name)
		require.Len(t, box.got, 1, "alice's copy came first")
		requireEmpty(t, spool)
	}
}

// TestLMTP_RFC2033_4_2: in LMTP mode each recipient gets its own reply
// after the message: a failed copy gives its user's addresses (both of
// alice's) the store's reply, and the others 250; "with" is LMTP (RFC
// 3848).
func TestLMTP_RFC2033_4_2(t *testing.T) {
	box := &copies{fail: "alice", failErr: smtp.NewReply(452, smtp.EnhancedTempMailboxFull, "Mailbox full")}
	spool := t.TempDir()
	addr := serve(t, box, spool, true)
	replies := chat(t, addr, "LHLO c.example.org", "250", "MAIL FROM:<carol@example.org>", "250",
		"RCPT TO:<alice@example.test>", "250", "RCPT TO:<bob@example.test>", "250", "RCPT TO:<al@example.test>", "250",
		"DATA", "354", strings.TrimSuffix(body, "\r\n")+"\r\n.", "452", "=", "250", "=", "452")
	require.Equal(t, "4.2.2 Mailbox full", replies[len(replies)-3])
	require.Equal(t, "4.2.2 Mailbox full", replies[len(replies)-1])
	require.Len(t, box.got, 1)
	require.Equal(t, "bob", box.got[0].user)
	require.Contains(t, box.got[0].data, " with LMTP id ")
	requireEmpty(t, spool)
}

// TestSpool: the message is on disk in SpoolDir while its copies are
// delivered (one file, read by every copy), and removed afterwards: after
// a success, after a refused copy, and when the message itself is refused
// (over the server's size limit: 552 5.3.4 of RFC 1870 and RFC 3463, not
// hidden as a local error).
func TestSpool(t *testing.T) {
	spool := t.TempDir()
	box := &copies{spool: spool}
	addr := serve(t, box, spool, false)
	ctx := context.Background()
	require.NoError(t, smtp.SendMail(ctx, addr, nil, "carol@example.org",
		[]string{"alice@example.test", "bob@example.test"}, strings.NewReader(body), nil))
	require.Len(t, box.spooled, 2)
	require.Equal(t, box.spooled[0], box.spooled[1], "one spool file for both copies")
	require.True(t, strings.HasPrefix(box.spooled[0], "mailwire-mda-"), box.spooled[0])
	requireEmpty(t, spool)

	big := strings.Repeat(strings.Repeat("x", 78)+"\r\n", (1<<20)/80+1)
	err := smtp.SendMail(ctx, addr, nil, "carol@example.org", []string{"alice@example.test"}, strings.NewReader(big), nil)
	var r *smtp.Reply
	require.ErrorAs(t, err, &r)
	require.Equal(t, 552, r.Code, r.Error())
	require.Equal(t, smtp.EnhancedCode{5, 3, 4}, r.Enhanced)
	require.Len(t, box.got, 2, "nothing delivered of the refused message")
	requireEmpty(t, spool)
}

// TestSpoolDirMissing: a spool directory that cannot take the file gives
// 451 4.3.0, a local error the client retries, and no copy.
func TestSpoolDirMissing(t *testing.T) {
	box := &copies{}
	addr := serve(t, box, t.TempDir()+"/missing", false)
	err := smtp.SendMail(context.Background(), addr, nil, "carol@example.org", []string{"alice@example.test"}, strings.NewReader(body), nil)
	var r *smtp.Reply
	require.ErrorAs(t, err, &r)
	require.Equal(t, 451, r.Code, r.Error())
	require.Equal(t, smtp.EnhancedCode{4, 3, 0}, r.Enhanced)
	require.Empty(t, box.got)
}

// TestAuthPlain_RFC4616: the users may authenticate (RFC 4954), with no
// authorization identity or their own; a wrong password, an unknown user
// or another identity is refused with 535 5.7.8.
func TestAuthPlain_RFC4616(t *testing.T) {
	s := &session{a: &Agent{Domain: "example.test", Users: testUsers()}}
	ctx := context.Background()
	require.NoError(t, s.AuthPlain(ctx, "", "alice", "secret"))
	require.NoError(t, s.AuthPlain(ctx, "alice@example.test", "alice", "secret"))
	require.NoError(t, s.AuthPlain(ctx, "al", "alice@example.test", "secret"))
	for _, tc := range [][3]string{{"", "alice", "wrong"}, {"bob", "alice", "secret"}, {"", "carol", "secret"}, {"nobody", "alice", "secret"}} {
		var r *smtp.Reply
		require.ErrorAs(t, s.AuthPlain(ctx, tc[0], tc[1], tc[2]), &r, tc)
		require.Equal(t, 535, r.Code)
		require.Equal(t, smtp.EnhancedCode{5, 7, 8}, r.Enhanced)
	}
}

// TestScram_RFC5802: a user logs in with SCRAM-SHA-256 over the wire;
// an unknown user fails as a wrong password does (535, RFC 4954).
func TestScram_RFC5802(t *testing.T) {
	addr := serve(t, &copies{}, t.TempDir(), false)
	ctx := context.Background()
	for _, tc := range []struct {
		user, password string
		ok             bool
	}{{"alice", "secret", true}, {"alice", "wrong", false}, {"carol", "secret", false}} {
		c, err := smtp.Dial(ctx, addr, nil)
		require.NoError(t, err)
		require.NoError(t, c.Hello(ctx, "c.example.org"))
		err = c.Auth(ctx, smtp.ScramSHA256Auth(tc.user, tc.password))
		c.Close()
		if tc.ok {
			require.NoError(t, err, tc.user)
			continue
		}
		var r *smtp.Reply
		require.ErrorAs(t, err, &r, tc)
		require.Equal(t, 535, r.Code, tc)
	}
}

// TestReset_RFC5321_4_1_1_5: a transaction's recipients end with it
// (after the message, and after RSET): the next message of the session
// goes to its own recipients alone.
func TestReset_RFC5321_4_1_1_5(t *testing.T) {
	box := &copies{}
	addr := serve(t, box, t.TempDir(), false)
	steps := []string{"EHLO c.example.org", "250", "MAIL FROM:<carol@example.org>", "250", "RCPT TO:<alice@example.test>", "250"}
	steps = append(steps, data...)
	steps = append(steps, "MAIL FROM:<carol@example.org>", "250", "RCPT TO:<postmaster@example.test>", "250", "RSET", "250")
	steps = append(steps, "MAIL FROM:<carol@example.org>", "250", "RCPT TO:<bob@example.test>", "250")
	chat(t, addr, append(steps, data...)...)
	require.Len(t, box.got, 2)
	require.Equal(t, "alice", box.got[0].user)
	require.Equal(t, "bob", box.got[1].user)
}

// failAfter is a message that breaks off with err after some octets.
type failAfter struct {
	left int
	err  error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.left == 0 {
		return 0, f.err
	}
	n := min(len(p), f.left)
	for i := range p[:n] {
		p[i] = 'x'
	}
	f.left -= n
	return n, nil
}

// TestSpool_ReadError: an error from the message reader (the client
// gone, a limit) comes back from the spool unwrapped, so that the server
// matches it to its reply, and the file already begun is removed.
func TestSpool_ReadError(t *testing.T) {
	gone := errors.New("client gone")
	for _, size := range []int{0, 10, 100 << 10} {
		a := &Agent{SpoolDir: t.TempDir()}
		sp, err := a.spool(&failAfter{left: size, err: gone})
		require.Nil(t, sp, size)
		require.Equal(t, gone, err, size)
		requireEmpty(t, a.SpoolDir)
	}
}
