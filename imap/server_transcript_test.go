package imap_test

import (
	"bufio"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/stretchr/testify/require"
)

// Transcript files in testdata/server read like the examples of RFC 3501:
// "C: " lines are sent by the client, "S: " lines are expected from the
// server, in order. The runner sends each C: line as soon as it meets it
// and reads an S: line only when it meets one, so a run of C: lines is
// pipelined. Every file starts with user alice (password "pass") and an
// empty INBOX.
//
//	# options: tls cleartext maxline=N maxliteral=N maxdepth=N maxlogin=N
//	#          maxbad=N timeout=MS
//	# mailbox Trash \Trash           create a mailbox for alice
//	# message INBOX simple.eml \Seen  store testdata/server/messages/simple.eml
//	C: a1 LOGIN alice pass           sent with CRLF; \r \n \0 \\ are escapes
//	C:                               an empty line (inside a literal)
//	C+ raw                           sent as is, no CRLF added
//	C! a1 STARTTLS                   sent; after the OK the runner starts TLS
//	S: a1 OK done                    one response line, compared exactly
//	S:                               an empty line (inside a literal)
//	S~ ^\* OK \[CAPABILITY .*\]      one response line, matched by a regexp
//	S: <closed>                      the server closed the connection
//	= flags INBOX 1 \Seen \Flagged   alice's message 1 has exactly these flags
//	= count INBOX 2                  alice's mailbox holds 2 messages
//
// A "2" after C or S (C2: a1 NOOP, S2~ ^\* OK) makes the line another
// client's: a second connection, opened when first used, that can change
// a mailbox under the first one.
func TestServerTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/server/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			t.Parallel()
			runServerTranscript(t, f)
		})
	}
}

func unescape(s string) string {
	return strings.NewReplacer(`\r`, "\r", `\n`, "\n", `\0`, "\x00", `\\`, `\`).Replace(s)
}

// transcriptDate is the internal date of preloaded messages, so FETCH
// INTERNALDATE is stable.
var transcriptDate = time.Date(1996, 7, 17, 2, 44, 25, 0, time.FixedZone("", -7*3600))

func runServerTranscript(t *testing.T, file string) {
	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")

	store := imapmem.New()
	store.AddUser("alice", "pass")
	srv := &imap.Server{Backend: store, AllowInsecureAuth: true, LoginTimeout: 10 * time.Second}
	var clientTLS *tls.Config
	for _, line := range lines {
		switch {
		case strings.HasPrefix(line, "# options:"):
			for _, o := range strings.Fields(strings.TrimPrefix(line, "# options:")) {
				key, val, _ := strings.Cut(o, "=")
				n, _ := strconv.Atoi(val)
				switch key {
				case "tls":
					pair, err := testcert.New()
					require.NoError(t, err)
					srv.TLSConfig = pair.ServerConfig()
					clientTLS = pair.ClientConfig()
				case "cleartext":
					srv.AllowInsecureAuth = false
				case "maxline":
					srv.MaxLineLength = n
				case "maxliteral":
					srv.MaxLiteralSize = int64(n)
				case "maxdepth":
					srv.MaxDepth = n
				case "maxlogin":
					srv.MaxAuthFailures = n
				case "timeout":
					srv.LoginTimeout = time.Duration(n) * time.Millisecond
				case "maxbad":
					srv.MaxErrors = n
				default:
					t.Fatalf("unknown option %q", o)
				}
			}
		case strings.HasPrefix(line, "# mailbox "):
			f := strings.Fields(strings.TrimPrefix(line, "# mailbox "))
			attr := imap.MailboxAttr("")
			if len(f) > 1 {
				attr = imap.MailboxAttr(f[1])
			}
			require.NoError(t, store.CreateMailbox("alice", f[0], attr))
		case strings.HasPrefix(line, "# message "):
			f := strings.Fields(strings.TrimPrefix(line, "# message "))
			data, err := os.ReadFile(filepath.Join("testdata/server/messages", f[1]))
			require.NoError(t, err)
			var flags []imap.Flag
			for _, fl := range f[2:] {
				flags = append(flags, imap.Flag(fl))
			}
			_, err = store.Append("alice", f[0], data, flags, transcriptDate)
			require.NoError(t, err)
		}
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	conns := map[byte]*transcriptConn{}
	defer func() {
		for _, c := range conns {
			c.nc.Close()
		}
	}()
	for i, line := range lines {
		where := file + ":" + strconv.Itoa(i+1)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "= ") {
			checkStore(t, store, strings.Fields(line[2:]), where)
			continue
		}
		if len(line) < 2 || line[0] != 'C' && line[0] != 'S' {
			t.Fatalf("%s: cannot read %q", where, line)
		}
		id := byte('1')
		if line[1] == '2' {
			id, line = '2', line[:1]+line[2:]
		}
		c := conns[id]
		if c == nil {
			nc, err := net.Dial("tcp", l.Addr().String())
			require.NoError(t, err, where)
			nc.SetDeadline(time.Now().Add(20 * time.Second))
			c = &transcriptConn{nc: nc, conn: nc, br: bufio.NewReader(nc)}
			conns[id] = c
		}
		c.step(t, line, where, clientTLS)
	}
}

// transcriptConn is one client connection of a transcript.
type transcriptConn struct {
	nc   net.Conn // the TCP connection
	conn net.Conn // nc, or TLS over it after STARTTLS
	br   *bufio.Reader
}

// step sends or checks one C or S line.
func (c *transcriptConn) step(t *testing.T, line, where string, clientTLS *tls.Config) {
	switch {
	case line == "C:" || strings.HasPrefix(line, "C: "):
		_, err := c.conn.Write([]byte(unescape(strings.TrimPrefix(line[2:], " ")) + "\r\n"))
		require.NoError(t, err, where)
	case strings.HasPrefix(line, "C+ "):
		_, err := c.conn.Write([]byte(unescape(line[3:])))
		require.NoError(t, err, where)
	case strings.HasPrefix(line, "C! "):
		cmd := unescape(line[3:])
		_, err := c.conn.Write([]byte(cmd + "\r\n"))
		require.NoError(t, err, where)
		got, err := c.br.ReadString('\n')
		require.NoError(t, err, where)
		tag, _, _ := strings.Cut(cmd, " ")
		require.Equal(t, tag+" OK Begin TLS negotiation now\r\n", got, where)
		tc := tls.Client(c.nc, clientTLS)
		require.NoError(t, tc.Handshake(), where)
		c.conn = tc
		c.br = bufio.NewReader(tc)
	case line == "S: <closed>":
		got, err := c.br.ReadString('\n')
		require.Error(t, err, "%s: expected close, got %q", where, got)
	case line == "S:" || strings.HasPrefix(line, "S: "):
		got, err := c.br.ReadString('\n')
		require.NoError(t, err, where)
		require.Equal(t, unescape(strings.TrimPrefix(line[2:], " ")), strings.TrimSuffix(got, "\r\n"), where)
	case strings.HasPrefix(line, "S~ "):
		got, err := c.br.ReadString('\n')
		require.NoError(t, err, where)
		require.Regexp(t, regexp.MustCompile(line[3:]), strings.TrimSuffix(got, "\r\n"), where)
	default:
		t.Fatalf("%s: cannot read %q", where, line)
	}
}

func checkStore(t *testing.T, store *imapmem.Backend, f []string, where string) {
	msgs, err := store.Messages("alice", f[1])
	require.NoError(t, err, where)
	switch f[0] {
	case "count":
		n, _ := strconv.Atoi(f[2])
		require.Len(t, msgs, n, where)
	case "flags":
		n, _ := strconv.Atoi(f[2])
		require.Greater(t, len(msgs), n-1, where)
		var want []imap.Flag
		for _, fl := range f[3:] {
			want = append(want, imap.Flag(fl))
		}
		require.ElementsMatch(t, want, msgs[n-1].Flags, where)
	default:
		t.Fatalf("%s: unknown check %q", where, f[0])
	}
}
