package pop3_test

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/pop3/pop3test"
	"github.com/stretchr/testify/require"
)

// Transcript files in testdata/transcripts read like the examples of RFC
// 1939: "C: " lines are sent by the client, "S: " lines are expected from
// the server, in order. The runner sends each C: line as soon as it meets
// it and reads an S: line only when it meets one, so a run of C: lines is a
// pipelined group (RFC 2449 6.6). A digit after C or S ("C2: ", "S2: ")
// talks on a second connection, opened at its first use.
//
//	# options: tls secure maxerrors=N maxline=N maxauthfail=N timeout=MS
//	#          logindelay=S expire=X
//	# user alice secret            a user and password (also APOP secret)
//	# msg alice Subject: a\r\n     a preloaded message, escapes decoded
//	# fail RETR -ERR [SYS/TEMP] x  pop3test.FailCommand with that response
//	# faildelete                   pop3test.FailDelete
//	C: USER alice                  sent with CRLF; \r \n \0 \\ are escapes;
//	                               {apop SECRET} is the APOP digest
//	C+ raw\r\n                     sent as is, no CRLF added
//	C! STLS                        sent, +OK read, then TLS starts
//	S: +OK ...                     one line, compared exactly; {timestamp}
//	                               matches the greeting's <...>
//	S: <closed>                    the server closed the connection
//	C: <close>                     the client closes the connection
//	= uids alice m2,m3             the maildrop holds these messages, once
//	                               every session has ended
//	= deleted alice m1             UPDATE removed these messages
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/transcripts/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			t.Parallel()
			runTranscript(t, f)
		})
	}
}

func unescape(s string) string {
	return strings.NewReplacer(`\r`, "\r", `\n`, "\n", `\0`, "\x00", `\t`, "\t", `\\`, `\`).Replace(s)
}

var (
	apopRef      = regexp.MustCompile(`\{apop ([^}]*)\}`)
	timestampRef = regexp.MustCompile(`<[^<>]+@[^<>]+>`)
)

// peer is one client connection of a transcript.
type peer struct {
	nc        net.Conn
	conn      net.Conn
	br        *bufio.Reader
	timestamp string
}

func runTranscript(t *testing.T, file string) {
	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")

	var opts []pop3test.Option
	type fault struct {
		verb pop3.Verb
		resp *pop3.Response
	}
	var faults []fault
	failDelete := false
	config := func(srv *pop3.Server) {
		srv.Domain = "pop.test"
		srv.CommandTimeout = 10 * time.Second
	}
	users := map[string]string{}
	var order []string
	msgs := map[string][][]byte{}
	for _, line := range lines {
		switch {
		case strings.HasPrefix(line, "# options:"):
			for _, o := range strings.Fields(strings.TrimPrefix(line, "# options:")) {
				key, val, _ := strings.Cut(o, "=")
				n, _ := strconv.Atoi(val)
				prev := config
				var set func(*pop3.Server)
				switch key {
				case "tls":
					opts = append(opts, pop3test.WithTLS())
					continue
				case "secure":
					set = func(s *pop3.Server) { s.AllowInsecureAuth = false }
				case "maxerrors":
					set = func(s *pop3.Server) { s.MaxErrors = n }
				case "maxline":
					set = func(s *pop3.Server) { s.MaxLineLength = n }
				case "maxauthfail":
					set = func(s *pop3.Server) { s.MaxAuthFailures = n }
				case "timeout":
					set = func(s *pop3.Server) { s.CommandTimeout = time.Duration(n) * time.Millisecond }
				case "logindelay":
					set = func(s *pop3.Server) { s.LoginDelay = time.Duration(n) * time.Second }
				case "expire":
					set = func(s *pop3.Server) { s.Expire = val }
				default:
					t.Fatalf("unknown option %q", o)
				}
				config = func(s *pop3.Server) { prev(s); set(s) }
			}
		case strings.HasPrefix(line, "# user "):
			f := strings.Fields(line[len("# user "):])
			users[f[0]] = f[1]
			order = append(order, f[0])
		case strings.HasPrefix(line, "# msg "):
			user, msg, _ := strings.Cut(line[len("# msg "):], " ")
			msgs[user] = append(msgs[user], []byte(unescape(msg)))
		case strings.HasPrefix(line, "# fail "):
			word, resp, _ := strings.Cut(line[len("# fail "):], " ")
			cmd, err := pop3.ParseCommand([]byte(word))
			require.NoError(t, err)
			r, err := pop3.ParseResponse([]byte(resp))
			require.NoError(t, err)
			faults = append(faults, fault{cmd.Verb, r})
		case line == "# faildelete":
			failDelete = true
		}
	}
	for _, u := range order {
		opts = append(opts, pop3test.WithUser(u, users[u], msgs[u]...))
	}
	opts = append(opts, pop3test.WithConfig(config))
	ts := pop3test.NewServer(t, opts...)
	for _, f := range faults {
		ts.FailCommand(f.verb, f.resp)
	}
	if failDelete {
		ts.FailDelete(errors.New("disk full"))
	}

	peers := map[byte]*peer{}
	get := func(id byte) *peer {
		if p, ok := peers[id]; ok {
			return p
		}
		nc, err := net.Dial("tcp", ts.Addr)
		require.NoError(t, err)
		t.Cleanup(func() { nc.Close() })
		nc.SetDeadline(time.Now().Add(20 * time.Second))
		p := &peer{nc: nc, conn: nc, br: bufio.NewReader(nc)}
		peers[id] = p
		return p
	}

	for i, line := range lines {
		where := file + ":" + strconv.Itoa(i+1)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "= ") {
			checkExpectation(t, ts, line[2:], where)
			continue
		}
		require.GreaterOrEqual(t, len(line), 2, where)
		kind, id, rest := line[0], byte('1'), line[1:]
		if rest[0] >= '2' && rest[0] <= '9' {
			id, rest = rest[0], rest[1:]
		}
		var text string
		switch {
		case rest == ":":
		case strings.HasPrefix(rest, ": "), strings.HasPrefix(rest, "+ "), strings.HasPrefix(rest, "! "):
			text = rest[2:]
		default:
			t.Fatalf("%s: cannot read %q", where, line)
		}
		p := get(id)
		switch {
		case kind == 'C' && text == "<close>":
			p.conn.Close()
		case kind == 'C':
			text = apopRef.ReplaceAllStringFunc(text, func(m string) string {
				return pop3.APOPDigest(p.timestamp, apopRef.FindStringSubmatch(m)[1])
			})
			if rest[0] != '+' {
				text += "\r\n"
			}
			_, err := p.conn.Write([]byte(unescape(text)))
			require.NoError(t, err, where)
			if rest[0] == '!' {
				got, err := p.br.ReadString('\n')
				require.NoError(t, err, where)
				require.Equal(t, "+OK Begin TLS negotiation\r\n", got, where)
				require.Zero(t, p.br.Buffered(), where)
				tc := tls.Client(p.nc, ts.ClientTLSConfig())
				require.NoError(t, tc.Handshake(), where)
				p.conn = tc
				p.br = bufio.NewReader(tc)
			}
		case kind == 'S' && text == "<closed>":
			got, err := p.br.ReadString('\n')
			require.Error(t, err, "%s: expected close, got %q", where, got)
		case kind == 'S':
			got, err := p.br.ReadString('\n')
			require.NoError(t, err, where)
			got = strings.TrimSuffix(got, "\r\n")
			if strings.Contains(text, "{timestamp}") {
				p.timestamp = timestampRef.FindString(got)
				require.NotEmpty(t, p.timestamp, where)
				got = strings.Replace(got, p.timestamp, "{timestamp}", 1)
			}
			require.Equal(t, text, got, where)
		default:
			t.Fatalf("%s: cannot read %q", where, line)
		}
	}
}

func checkExpectation(t *testing.T, ts *pop3test.Server, exp, where string) {
	f := strings.Fields(exp)
	require.GreaterOrEqual(t, len(f), 2, where)
	want := []string{}
	if len(f) > 2 {
		want = strings.Split(f[2], ",")
	}
	switch f[0] {
	case "uids":
		require.NoError(t, ts.WaitIdle(testContext(t)), where)
		got := ts.UIDs(f[1])
		if got == nil {
			got = []string{}
		}
		require.Equal(t, want, got, where)
	case "deleted":
		got := ts.Deleted(f[1])
		if got == nil {
			got = []string{}
		}
		require.Equal(t, want, got, where)
	default:
		t.Fatalf("%s: unknown expectation %q", where, exp)
	}
}
