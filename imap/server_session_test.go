package imap_test

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/stretchr/testify/require"
)

// rawSession is one client connection that sends lines and reads
// responses up to a tagged one.
type rawSession struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawSession {
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	s := &rawSession{t: t, nc: nc, br: bufio.NewReader(nc)}
	s.line() // greeting
	return s
}

func (s *rawSession) line() string {
	l, err := s.br.ReadString('\n')
	require.NoError(s.t, err)
	return strings.TrimSuffix(l, "\r\n")
}

// cmd sends "tag command" and returns the untagged lines and the tagged
// one.
func (s *rawSession) cmd(tag, command string) ([]string, string) {
	_, err := s.nc.Write([]byte(tag + " " + command + "\r\n"))
	require.NoError(s.t, err)
	var untagged []string
	for {
		l := s.line()
		if strings.HasPrefix(l, tag+" ") {
			return untagged, l
		}
		untagged = append(untagged, l)
	}
}

func sample(subject string) []byte {
	return []byte("From: a@example.org\r\nSubject: " + subject + "\r\n\r\nbody\r\n")
}

// TestSessions_RFC3501_7_4_1 checks what one session sees of another's
// changes: no EXPUNGE during FETCH, STORE or SEARCH by sequence number,
// where RFC 2180 section 4.1 keeps the sequence numbers and the FETCH of
// a vanished message ends OK [EXPUNGEISSUED] (RFC 5530); the EXPUNGE at
// the next NOOP; flag changes as FETCH; \Recent in one session only.
func TestSessions_RFC3501_7_4_1(t *testing.T) {
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithUser("alice", "pass"),
		imaptest.WithMessage("alice", "INBOX", sample("one")),
		imaptest.WithMessage("alice", "INBOX", sample("two")))
	a, b := dialRaw(t, srv.Addr), dialRaw(t, srv.Addr)
	for _, s := range []*rawSession{a, b} {
		_, done := s.cmd("l", "LOGIN alice pass")
		require.Contains(t, done, "l OK")
	}
	untagged, _ := a.cmd("s", "SELECT INBOX")
	require.Contains(t, untagged, "* 2 RECENT")
	untagged, _ = b.cmd("s", "SELECT INBOX")
	require.Contains(t, untagged, "* 0 RECENT", "RFC 3501 2.3.2: \\Recent goes to one session")

	_, done := b.cmd("x", "STORE 1 +FLAGS.SILENT (\\Deleted $Urgent)")
	require.Equal(t, "x OK STORE completed", done)
	_, done = b.cmd("y", "EXPUNGE")
	require.Equal(t, "y OK EXPUNGE completed", done)

	untagged, done = a.cmd("f", "FETCH 1:2 (FLAGS)")
	require.Equal(t, []string{
		`* 2 FETCH (FLAGS (\Recent))`,
		// B's flag change arrives after the data; the keyword is
		// announced first (RFC 3501 section 7.2.6).
		`* FLAGS (\Answered \Flagged \Deleted \Seen \Draft $Urgent)`,
		`* OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \* $Urgent)] Flags permitted`,
		`* 1 FETCH (FLAGS (\Deleted $Urgent \Recent))`,
	}, untagged)
	require.Equal(t, "f OK [EXPUNGEISSUED] Some messages were expunged; FETCH completed", done)
	untagged, done = a.cmd("n", "NOOP")
	require.Equal(t, []string{"* 1 EXPUNGE"}, untagged)
	require.Equal(t, "n OK NOOP completed", done)

	_, err := srv.Deliver("alice", "INBOX", sample("three"))
	require.NoError(t, err)
	// The new message is \Recent in the session notified of it first,
	// whichever selected the mailbox first (RFC 3501 section 2.3.2).
	untagged, _ = b.cmd("n", "NOOP")
	require.Equal(t, []string{"* 2 EXISTS", "* 1 RECENT"}, untagged)
	untagged, _ = a.cmd("n2", "NOOP")
	require.Equal(t, []string{"* 2 EXISTS", "* 1 RECENT"}, untagged)
}

// TestIdle_RFC2177 checks that an IDLE session hears of a delivery at
// once and that DONE ends IDLE.
func TestIdle_RFC2177(t *testing.T) {
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithUser("alice", "pass"))
	a := dialRaw(t, srv.Addr)
	a.cmd("l", "LOGIN alice pass")
	a.cmd("s", "SELECT INBOX")
	_, err := a.nc.Write([]byte("i IDLE\r\n"))
	require.NoError(t, err)
	require.Equal(t, "+ idling", a.line())
	_, err = srv.Deliver("alice", "INBOX", sample("new"))
	require.NoError(t, err)
	require.Equal(t, "* 1 EXISTS", a.line())
	require.Equal(t, "* 1 RECENT", a.line())
	_, err = a.nc.Write([]byte("DONE\r\n"))
	require.NoError(t, err)
	require.Equal(t, "i OK IDLE terminated", a.line())
}

// TestImaptestFaults checks fault injection and WaitMessages.
func TestImaptestFaults(t *testing.T) {
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithUser("alice", "pass"))
	a := dialRaw(t, srv.Addr)
	a.cmd("l", "LOGIN alice pass")
	srv.FailCommand("SELECT", &imap.StatusResponse{Type: imap.StatusNO, Code: imap.CodeUnavailable, Text: "try later"})
	_, done := a.cmd("s", "SELECT INBOX")
	require.Equal(t, "s NO [UNAVAILABLE] try later", done)
	srv.FailCommand("SELECT", nil)
	_, done = a.cmd("s2", "SELECT INBOX")
	require.Equal(t, "s2 OK [READ-WRITE] SELECT completed", done)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go srv.Deliver("alice", "INBOX", sample("later"))
	require.NoError(t, srv.WaitMessages(ctx, 1))

	srv.DropOn("NOOP")
	_, err := a.nc.Write([]byte("n NOOP\r\n"))
	require.NoError(t, err)
	_, err = a.br.ReadString('\n')
	for err == nil {
		_, err = a.br.ReadString('\n') // the EXISTS of the delivery may come first
	}
}
