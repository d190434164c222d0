package imap_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imaptest"
	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClientDebugHidesCredentials checks that Options.Debug shows the
// exchange but not the password of LOGIN or of AUTHENTICATE PLAIN (whose
// base64 response carries it), and that the tap is safe while the read
// loop and the caller write to it at once (run with -race).
func TestClientDebugHidesCredentials(t *testing.T) {
	srv := imaptest.NewServer(t, imaptest.WithInsecureAuth(), imaptest.WithUser("alice", "s3cret-pw"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for _, auth := range []string{"login", "plain"} {
		var trace bytes.Buffer // no lock: the tap must serialise writes itself
		c, err := imap.Dial(ctx, srv.Addr, &imap.Options{Debug: &trace})
		require.NoError(t, err)
		if auth == "login" {
			require.NoError(t, c.Login(ctx, "alice", "s3cret-pw"))
		} else {
			require.NoError(t, c.Authenticate(ctx, imap.PlainAuth("", "alice", "s3cret-pw")))
		}
		_, err = c.Select(ctx, "INBOX", nil)
		require.NoError(t, err)
		require.NoError(t, c.Logout(ctx))

		out := trace.String()
		if auth == "login" {
			require.Contains(t, out, " LOGIN ***\n", auth)
		} else {
			require.Contains(t, out, " AUTHENTICATE PLAIN ***\n", auth)
		}
		require.Regexp(t, `(?m)^C: T\d+ SELECT INBOX$`, out, auth)
		require.Contains(t, out, "S: * OK [CAPABILITY ", auth)
		require.NotContains(t, out, "s3cret-pw", auth)
		require.NotContains(t, out, "czNjcmV0LXB3", auth) // base64 of the password's tail
		require.False(t, strings.Contains(out, "AGFsaWNlAHMzY3JldC1wdw"), auth)
	}
}

// TestClientDebugLiterals_RFC3501_7_4_2 checks the whole Debug trace of a
// FETCH BODY[] and an APPEND: the literals in both directions show as
// "[N octets]" (internal/debugtrace), the message data not at all, and
// each line comes before the answer to it.
func TestClientDebugLiterals_RFC3501_7_4_2(t *testing.T) {
	client, server := net.Pipe()
	go func() {
		defer server.Close()
		io.WriteString(server, "* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n")
		br := bufio.NewReader(server)
		for _, answer := range []string{
			"T1 OK [READ-WRITE] done\r\n",
			"* 1 FETCH (BODY[] {12}\r\nHello world!)\r\nT2 OK done\r\n",
			"+ go\r\n",
			"T3 OK done\r\n",
		} {
			// A command line, or the literal and the CRLF after it.
			if _, err := br.ReadString('\n'); err != nil {
				return
			}
			io.WriteString(server, answer)
		}
		io.Copy(io.Discard, br)
	}()
	var trace testutil.LockedBuffer
	c, err := imap.NewClient(testutil.Context(t), client, &imap.Options{Debug: &trace})
	require.NoError(t, err)
	defer c.Close()
	ctx := testutil.Context(t)
	_, err = c.Select(ctx, "INBOX", nil)
	require.NoError(t, err)
	msgs, err := c.Fetch(ctx, imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{}}}).Collect()
	require.NoError(t, err)
	require.Equal(t, "Hello world!", string(msgs[0].FindBodySection(&imap.FetchItemBodySection{})))
	_, err = c.Append(ctx, "INBOX", 5, strings.NewReader("hello"), nil)
	require.NoError(t, err)

	assert.Equal(t, `S: * PREAUTH [CAPABILITY IMAP4rev1] hi
C: T1 SELECT INBOX
S: T1 OK [READ-WRITE] done
C: T2 FETCH 1 (BODY[])
S: * 1 FETCH (BODY[] {12}
S: [12 octets]
S: )
S: T2 OK done
C: T3 APPEND INBOX {5}
S: + go
C: [5 octets]
C: 
S: T3 OK done
`, trace.String())
}
