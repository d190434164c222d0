package pop3_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/peertest"
	"github.com/mailwire/mailwire/pop3/pop3test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fetchmailMessages are what fetchmail must get back unchanged: lines that
// RETR has to byte-stuff (RFC 1939 section 3), 8-bit octets in a header
// and in the body, and a message of about 200 KB that spans many reads on
// both sides.
func fetchmailMessages() [][]byte {
	var big bytes.Buffer
	big.WriteString("From: big@example.test\r\nSubject: big\r\n\r\n")
	for i := 0; big.Len() < 200<<10; i++ {
		fmt.Fprintf(&big, "line %06d %s\r\n", i, strings.Repeat("x", 60))
		if i%500 == 0 {
			big.WriteString(".\r\n..\r\n.stuffed\r\n")
		}
	}
	return [][]byte{
		[]byte("From: a@example.test\r\nTo: alice@example.test\r\nSubject: one\r\n\r\nHello.\r\n"),
		[]byte("Subject: dots\r\n\r\n.leading\r\n..two\r\n.\r\n. space\r\nend\r\n"),
		[]byte("Subject: Grüße\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln, \xe2\x82\xac 5\r\n\xff\xfe\x80 raw octets\r\n"),
		big.Bytes(),
	}
}

// fetchmailRun is one fetchmail process against our server.
type fetchmailRun struct {
	bin, home, ca, mda string
	host, port         string
}

// fetch runs fetchmail once with the given user options and returns its
// exit status (0: mail delivered, 1: no mail), the messages its MDA
// received, in delivery order, and its verbose log (the POP3 exchange).
//
// The run control file polls 127.0.0.1 over STLS (RFC 2595), verifying
// our runtime certificate against sslcertfile, as fetchmail 6.4 insists
// on by default (sslcertck); "no rewrite" leaves the addresses alone;
// "stripcr" makes the choice of line ends explicit. The MDA is a script
// that writes each message to the next numbered file. HOME and
// FETCHMAILHOME point at a temporary directory, so .fetchids (the UIDs
// fetchmail has seen: "uidl" on the poll line) and the pid file stay
// there.
func (f *fetchmailRun) fetch(t *testing.T, opts string) (status int, msgs []string, log string) {
	t.Helper()
	out, err := os.MkdirTemp(f.home, "out")
	require.NoError(t, err)
	rc := fmt.Sprintf(`poll %s port %s protocol pop3 uidl
  user "alice" there with password "secret" is "bob" here
  sslproto "auto" sslcertck sslcertfile "%s"
  no rewrite stripcr %s
  mda "%s %s"
`, f.host, f.port, f.ca, opts, f.mda, out)
	rcPath := filepath.Join(f.home, "fetchmailrc")
	require.NoError(t, os.WriteFile(rcPath, []byte(rc), 0o600)) // fetchmail refuses a readable rc
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, f.bin, "-v", "--nodetach", "-N", "-f", rcPath)
	cmd.Env = append(os.Environ(), "HOME="+f.home, "FETCHMAILHOME="+f.home)
	b, err := cmd.CombinedOutput()
	log = string(b)
	if err != nil {
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "fetchmail: %s", log)
		status = exit.ExitCode()
	}
	require.NoError(t, ctx.Err(), "fetchmail timed out: %s", log)
	ents, err := os.ReadDir(out)
	require.NoError(t, err)
	msgs = make([]string, len(ents))
	for i := range msgs {
		b, err := os.ReadFile(filepath.Join(out, strconv.Itoa(i+1)+".eml"))
		require.NoError(t, err, "fetchmail: %s", log)
		msgs[i] = string(b)
	}
	if t.Failed() || status > 1 {
		t.Logf("fetchmail (status %d): %s", status, log)
	}
	return status, msgs, log
}

// withoutFetchmailHeader removes exactly what fetchmail adds to a message
// it hands to an MDA: one Received header field, first in the header
// (RFC 5322 section 3.6.7 trace field, folded over several lines). The
// line ends are LF because of stripcr, which removes the CR of every CRLF.
func withoutFetchmailHeader(t *testing.T, msg string) string {
	t.Helper()
	lines := strings.SplitAfter(msg, "\n")
	require.True(t, strings.HasPrefix(lines[0], "Received: from 127.0.0.1"), "first line %q", lines[0])
	i := 1
	for i < len(lines) && (strings.HasPrefix(lines[i], "\t") || strings.HasPrefix(lines[i], " ")) {
		i++
	}
	received := strings.Join(lines[:i], "")
	assert.Contains(t, received, "with POP3 (fetchmail-")
	return strings.Join(lines[i:], "")
}

func lfOnly(b []byte) string { return strings.ReplaceAll(string(b), "\r\n", "\n") }

// fetchmail (a real POP3 client) retrieves every message from our server
// byte-exact after STLS with a verified certificate (RFC 2595) and
// USER/PASS (RFC 1939 section 7). With "keep" and "uidl" it deletes
// nothing and, by UIDL, fetches only what is new on later polls; without
// "keep" its DELE commands are applied in the UPDATE state after QUIT
// (RFC 1939 section 6), and only then.
func TestFetchmailRetrievesByteExact_RFC1939(t *testing.T) {
	bin := peertest.Need(t, "fetchmail")
	msgs := fetchmailMessages()
	s := pop3test.NewServer(t, pop3test.WithInsecureAuth(), pop3test.WithTLS(), pop3test.WithUser("alice", "secret", msgs...))
	home := t.TempDir()
	f := &fetchmailRun{bin: bin, home: home, ca: filepath.Join(home, "ca.pem"), mda: filepath.Join(home, "mda.sh")}
	var err error
	f.host, f.port, err = net.SplitHostPort(s.Addr)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(f.ca, s.CertificatePEM(), 0o600))
	// The MDA gets the output folder as $1 and the message on stdin;
	// fetchmail delivers one message at a time, so counting the files
	// numbers them in order.
	require.NoError(t, os.WriteFile(f.mda, []byte("#!/bin/sh\nn=$(ls \"$1\" | wc -l)\nexec cat > \"$1/$((n+1)).eml\"\n"), 0o700))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	status, got, _ := f.fetch(t, "keep")
	require.Equal(t, 0, status)
	require.Len(t, got, len(msgs))
	for i, m := range got {
		assert.Equal(t, lfOnly(msgs[i]), withoutFetchmailHeader(t, m), "message %d", i+1)
	}
	require.NoError(t, s.WaitIdle(ctx))
	assert.Empty(t, s.Deleted("alice"), "keep")
	_, err = os.Stat(filepath.Join(home, ".fetchids"))
	require.NoError(t, err, "fetchmail records the UIDs it has seen")

	status, got, log := f.fetch(t, "keep")
	assert.Equal(t, 1, status, "no new mail")
	assert.Empty(t, got)
	assert.Contains(t, log, "POP3> UIDL")
	assert.NotContains(t, log, "POP3> RETR")

	late := []byte("Subject: late\r\n\r\n.arrived between polls\r\n")
	lateUID, err := s.Deliver("alice", late)
	require.NoError(t, err)
	status, got, _ = f.fetch(t, "keep")
	require.Equal(t, 0, status)
	require.Len(t, got, 1, "only the new message, by its UIDL")
	assert.Equal(t, lfOnly(late), withoutFetchmailHeader(t, got[0]))
	require.NoError(t, s.WaitIdle(ctx))
	assert.Empty(t, s.Deleted("alice"))

	all := s.UIDs("alice")
	require.Len(t, all, len(msgs)+1)
	require.Equal(t, lateUID, all[len(all)-1])
	status, got, log = f.fetch(t, "fetchall no keep")
	require.Equal(t, 0, status)
	assert.Contains(t, log, "POP3> DELE 5")
	require.Len(t, got, len(msgs)+1)
	for i, m := range got {
		want := late
		if i < len(msgs) {
			want = msgs[i]
		}
		assert.Equal(t, lfOnly(want), withoutFetchmailHeader(t, m), "message %d", i+1)
	}
	require.NoError(t, s.WaitIdle(ctx))
	assert.Equal(t, all, s.Deleted("alice"), "deleted in UPDATE, in order")
	assert.Empty(t, s.Messages("alice"))
}
