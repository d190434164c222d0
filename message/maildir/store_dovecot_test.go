package maildir

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/dovecottest"
	"github.com/mailwire/mailwire/internal/peertest"
)

// imapTalk is a raw IMAP4rev1 conversation (RFC 3501) with Dovecot.
type imapTalk struct {
	t   *testing.T
	c   net.Conn
	r   *bufio.Reader
	tag int
}

func dialIMAP(t *testing.T, addr string) *imapTalk {
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(30 * time.Second))
	it := &imapTalk{t: t, c: c, r: bufio.NewReader(c)}
	greeting, err := it.r.ReadString('\n')
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(greeting, "* OK"), greeting)
	return it
}

// cmd sends a command (literal, when not "", follows as a LITERAL+
// literal, RFC 7888) and returns the untagged lines and the tagged one,
// requiring OK.
func (it *imapTalk) cmd(command, literal string) []string {
	it.t.Helper()
	it.tag++
	tag := "a" + strconv.Itoa(it.tag)
	line := tag + " " + command
	if literal != "" {
		line += fmt.Sprintf(" {%d+}\r\n%s", len(literal), literal)
	}
	_, err := it.c.Write([]byte(line + "\r\n"))
	require.NoError(it.t, err)
	var lines []string
	for {
		l, err := it.r.ReadString('\n')
		require.NoError(it.t, err)
		l = strings.TrimRight(l, "\r\n")
		if strings.HasPrefix(l, tag+" ") {
			require.True(it.t, strings.HasPrefix(l, tag+" OK"), "%s: %s", command, l)
			return append(lines, l)
		}
		lines = append(lines, l)
	}
}

var (
	fetchLine   = regexp.MustCompile(`^\* \d+ FETCH \(UID (\d+) FLAGS \(([^)]*)\)\)$`)
	validityRes = regexp.MustCompile(`UIDVALIDITY (\d+)`)
)

// fetchFlags runs UID FETCH 1:* (UID FLAGS) and returns the flags by UID.
func (it *imapTalk) fetchFlags() map[uint32][]string {
	out := map[uint32][]string{}
	for _, l := range it.cmd("UID FETCH 1:* (UID FLAGS)", "") {
		if m := fetchLine.FindStringSubmatch(l); m != nil {
			uid, _ := strconv.ParseUint(m[1], 10, 32)
			var flags []string
			for _, f := range strings.Fields(m[2]) {
				if f != `\Recent` { // a session's, not the store's
					flags = append(flags, f)
				}
			}
			out[uint32(uid)] = flags
		}
	}
	return out
}

// TestStore_Dovecot: messages appended through the Store and through
// Dovecot's IMAP APPEND have the same UIDs and UIDVALIDITY on both
// (dovecot-uidlist is the one source of UIDs); a keyword Dovecot sets
// (STORE +FLAGS, RFC 3501 section 6.4.6) is seen by the Store, and one
// the Store sets is seen by Dovecot (dovecot-keywords letters). Skipped
// without Dovecot unless MAILWIRE_REQUIRE_PEERS is set.
func TestStore_Dovecot(t *testing.T) {
	peertest.Need(t, "dovecot")
	ctx := context.Background()
	dc := dovecottest.Start(t, dovecottest.Config{Protocols: []string{"imap"}})
	root := dc.Maildir("alice")
	s := openTestStore(t, root)
	m := testMailbox(t, s, "INBOX")
	appendTest(t, m)
	appendTest(t, m, "Ours")
	st, err := m.Status(ctx)
	require.NoError(t, err)
	giveToDovecot(t, root)

	it := dialIMAP(t, dc.IMAP)
	it.cmd("LOGIN alice secret", "")
	sel := strings.Join(it.cmd("SELECT INBOX", ""), "\n")
	v := validityRes.FindStringSubmatch(sel)
	require.NotNil(t, v, sel)
	assert.Equal(t, strconv.FormatUint(uint64(st.UIDValidity), 10), v[1])
	res := it.cmd("APPEND INBOX (\\Seen)", strings.ReplaceAll(testMsg, "\n", "\r\n"))
	assert.Contains(t, res[len(res)-1], fmt.Sprintf("[APPENDUID %d 3]", st.UIDValidity))
	flags := it.fetchFlags()
	assert.Equal(t, map[uint32][]string{1: nil, 2: {"Ours"}, 3: {`\Seen`}}, flags)
	it.cmd("UID STORE 1 +FLAGS.SILENT ($Label1)", "")

	msgs, err := m.Messages(ctx)
	require.NoError(t, err)
	require.Len(t, msgs, 3)
	assert.Equal(t, []uint32{1, 2, 3}, []uint32{msgs[0].UID, msgs[1].UID, msgs[2].UID})
	assert.Equal(t, []string{"$Label1"}, msgs[0].Flags)
	assert.Equal(t, []string{`\Seen`}, msgs[2].Flags)
	_, uid, err := m.Append(ctx, strings.NewReader(testMsg), nil, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, uint32(4), uid, "the Store follows Dovecot's UIDs")

	_, _, err = m.SetFlags(ctx, nil, []uint32{3}, FlagsAdd, []string{"Later"}, 0)
	require.NoError(t, err)
	giveToDovecot(t, root)
	// Dovecot looks at cur/ again when its time changed, and again a
	// little later when the change fell in the second it last looked.
	for deadline := time.Now().Add(5 * time.Second); ; {
		it.cmd("NOOP", "")
		flags = it.fetchFlags()
		if _, ok := flags[4]; ok && len(flags[3]) == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	assert.ElementsMatch(t, []string{`\Seen`, "Later"}, flags[3])
	assert.Equal(t, []string{"$Label1"}, flags[1])
	assert.Contains(t, flags, uint32(4))
	it.cmd("LOGOUT", "")
}
