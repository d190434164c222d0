package imap

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/debugtrace"
	"github.com/mailwire/mailwire/internal/testutil"
)

// TestDebugTap splits a stream of commands, fed one octet at a time, into
// trace lines: literals become counts, the credentials of LOGIN (RFC 3501
// section 6.2.3) and of an AUTHENTICATE exchange (section 6.2.2) the
// marker, and a line too long to keep shows its start and how much was
// left out, its literal still found.
func TestDebugTap(t *testing.T) {
	long := "a3 APPEND INBOX (" + strings.Repeat("x", maxDebugLine) + ") {4}\r\n"
	cut := strconv.Itoa(len(long) - len("\r\n") - maxDebugLine)
	// trace feeds in one octet at a time, sasl telling whether it is an
	// AUTHENTICATE exchange, and returns the trace.
	trace := func(in string, sasl bool) string {
		var out bytes.Buffer
		tap := &debugTap{w: &out, side: debugtrace.Client, commands: true}
		for i := range len(in) {
			tap.feed([]byte{in[i]}, sasl)
		}
		return out.String()
	}
	assert.Equal(t, "C: a1 APPEND INBOX {5}\nC: [5 octets]\nC: \n", trace("a1 APPEND INBOX {5}\r\nhello\r\n", false))
	assert.Equal(t, "C: a1 RENAME {0}\nC: [0 octets]\nC:  x\n", trace("a1 RENAME {0}\r\n x\r\n", false))
	assert.Equal(t, "C: a1 LOGIN ***\nC: a2 NOOP\n", trace("a1 LOGIN alice secret\r\na2 NOOP\r\n", false))
	assert.Equal(t, "C: a1 login ***\nC: ***\nC: ***\n", trace("a1 login {5}\r\nalice {6}\r\nsecret\r\n", false))
	assert.Equal(t, "C: a1 AUTHENTICATE PLAIN\nC: ***\n", trace("a1 AUTHENTICATE PLAIN\r\nAGFsaWNlAHNlY3JldA==\r\n", true))
	assert.Equal(t, "C: "+long[:maxDebugLine]+" [+"+cut+" octets]\nC: [4 octets]\nC: )\n", trace(long+"abcd)\r\n", false))
}

// TestClientDebugLiterals_RFC3501_7_4_2 checks the whole Debug trace of a
// FETCH BODY[] and an APPEND: the literals in both directions show as
// "[N octets]" (internal/debugtrace), the message data not at all, and
// each line comes before the answer to it.
func TestClientDebugLiterals_RFC3501_7_4_2(t *testing.T) {
	client := pipeServer("* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n", func(br *bufio.Reader, server io.Writer) {
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
	})
	var trace testutil.LockedBuffer
	c := newTestClient(t, client, &Options{Debug: &trace})
	ctx := testCtx(t)
	_, err := c.Select(ctx, "INBOX", nil)
	require.NoError(t, err)
	msgs, err := c.Fetch(ctx, SeqSetNum(1), &FetchOptions{BodySection: []*FetchItemBodySection{{}}}).Collect()
	require.NoError(t, err)
	require.Equal(t, "Hello world!", string(msgs[0].FindBodySection(&FetchItemBodySection{})))
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
