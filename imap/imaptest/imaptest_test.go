package imaptest_test

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/stretchr/testify/require"
)

// testCtx bounds a test's network calls, as in every package's tests.
var testCtx = testutil.Context

// raw is a line-level IMAP client: it sends exactly what a test gives.
type raw struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dial(t *testing.T, addr string) *raw {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	r := &raw{t: t, nc: nc, br: bufio.NewReader(nc)}
	r.line() // greeting
	return r
}

func (r *raw) line() string {
	r.t.Helper()
	l, err := r.br.ReadString('\n')
	require.NoError(r.t, err)
	return strings.TrimRight(l, "\r\n")
}

// cmd sends a tagged command and returns its tagged response line.
func (r *raw) cmd(tag, line string) string {
	r.t.Helper()
	_, err := r.nc.Write([]byte(tag + " " + line + "\r\n"))
	require.NoError(r.t, err)
	for {
		if l := r.line(); strings.HasPrefix(l, tag+" ") {
			return l
		}
	}
}

// RFC 3501 sections 6.2.3 and 11.1: LOGIN over cleartext is refused
// (LOGINDISABLED) unless the test asks for it with WithInsecureAuth.
func TestWithInsecureAuth_RFC3501_6_2_3(t *testing.T) {
	secure := imaptest.NewServer(t, imaptest.WithUser("alice", "secret"), imaptest.WithTLS())
	r := dial(t, secure.Addr)
	require.Contains(t, r.cmd("c", "CAPABILITY"), "OK")
	require.Regexp(t, `^l NO `, r.cmd("l", "LOGIN alice secret"))

	open := imaptest.NewServer(t, imaptest.WithUser("alice", "secret"), imaptest.WithInsecureAuth())
	r = dial(t, open.Addr)
	require.Regexp(t, `^l OK `, r.cmd("l", "LOGIN alice secret"))
}

// RFC 8314 section 3.3: WithImplicitTLS speaks TLS from the first octet,
// and LOGIN is accepted over it; CertificatePEM holds the certificate.
func TestWithImplicitTLS_RFC8314_3_3(t *testing.T) {
	s := imaptest.NewServer(t, imaptest.WithImplicitTLS(), imaptest.WithUser("alice", "secret"))
	require.Contains(t, string(s.CertificatePEM()), "BEGIN CERTIFICATE")
	c, err := imap.DialTLS(testCtx(t), s.Addr, &imap.Options{TLSConfig: s.ClientTLSConfig()})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Login(testCtx(t), "alice", "secret"))

	plain := imaptest.NewServer(t)
	require.Nil(t, plain.ClientTLSConfig())
	require.Nil(t, plain.CertificatePEM())
}

// FailCommand answers until lifted; DropOn closes the connection at the
// next such command, once.
func TestFailCommandAndDropOn(t *testing.T) {
	s := imaptest.NewServer(t, imaptest.WithInsecureAuth())
	s.FailCommand("noop", &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeUnavailable, Text: "later"})
	r := dial(t, s.Addr)
	require.Equal(t, "n NO [UNAVAILABLE] later", r.cmd("n", "NOOP"))
	require.Equal(t, "n NO [UNAVAILABLE] later", r.cmd("n", "NOOP"))
	s.FailCommand("NOOP", nil)
	require.Regexp(t, `^n OK `, r.cmd("n", "NOOP"))

	s.DropOn("NOOP")
	_, err := r.nc.Write([]byte("d NOOP\r\n"))
	require.NoError(t, err)
	for err == nil {
		_, err = r.br.ReadString('\n') // a BYE may come first
	}
	r = dial(t, s.Addr)
	require.Regexp(t, `^n OK `, r.cmd("n", "NOOP"), "DropOn acts once")
}

// WaitMessages counts deliveries, not preloaded messages; Reset empties
// every mailbox, the count and the faults, and keeps users and mailboxes.
func TestWaitMessagesAndReset(t *testing.T) {
	s := imaptest.NewServer(t, imaptest.WithInsecureAuth(),
		imaptest.WithUser("alice", "secret", []byte("Subject: old\r\n\r\nx\r\n")),
		imaptest.WithMailbox("alice", "Archive", ""),
		imaptest.WithMessage("alice", "Archive", []byte("Subject: kept\r\n\r\nx\r\n")))
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, s.WaitMessages(short, 1), context.DeadlineExceeded)
	go s.Deliver("alice", imap.Inbox, []byte("Subject: new\r\n\r\nx\r\n"))
	require.NoError(t, s.WaitMessages(testCtx(t), 1))

	s.FailCommand("SELECT", &imap.StatusResponse{Type: imap.StatusNO, Text: "x"})
	s.Reset()
	for _, mb := range []string{imap.Inbox, "Archive"} {
		msgs, err := s.Messages("alice", mb)
		require.NoError(t, err)
		require.Empty(t, msgs, mb)
	}
	short2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	require.ErrorIs(t, s.WaitMessages(short2, 1), context.DeadlineExceeded)
	r := dial(t, s.Addr)
	require.Regexp(t, `^l OK `, r.cmd("l", "LOGIN alice secret"))
	require.Regexp(t, `^s OK `, r.cmd("s", "SELECT Archive"))
}
