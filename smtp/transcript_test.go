package smtp

import (
	"bufio"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/stretchr/testify/require"
)

// Transcript files in testdata/transcripts read like the examples of RFC
// 5321 appendix D: "C: " lines are sent by the client, "S: " lines are
// expected from the server, in order. The runner sends each C: line as soon
// as it meets it and reads an S: line only when it meets one, so a run of C:
// lines is a pipelined group (RFC 2920).
//
//	# options: lmtp tls insecure-auth auth-required bare-newlines
//	#          maxrcpt=N maxsize=N maxline=N maxtextline=N maxerrors=N
//	C: EHLO client.test       sent with CRLF; \r \n \0 \\ are escapes
//	C+ raw\r\n                sent as is, no CRLF added (escapes decoded)
//	C! STARTTLS               sent, then the runner starts TLS
//	S: 250 2.0.0 OK           one reply line, compared exactly
//	S: <closed>               the server closed the connection
//	C: <close>                the client closes the connection
//	= messages 2              the backend holds 2 messages
//	= data Subject: x\r\n     the last message's data, escapes decoded
//	= from a@b.test           the last message's reverse path
//	= to a@b.test,c@d.test    the last message's recipients
//	= identity alice          the last message's authenticated identity
//	= tls true                whether the last message came over TLS
//	= protocol ESMTPSA        the Received "with" protocol (RFC 3848)
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

// unescape turns a transcript's \r \n \0 \t \\ and \xHH into the octets
// they name, so a transcript can send what is not valid text.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'r':
			b.WriteByte('\r')
		case 'n':
			b.WriteByte('\n')
		case '0':
			b.WriteByte(0)
		case 't':
			b.WriteByte('\t')
		case 'x':
			if v, err := strconv.ParseUint(s[i+1:min(i+3, len(s))], 16, 8); err == nil && i+3 <= len(s) {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
			b.WriteString(`\x`)
		case '\\':
			b.WriteByte('\\')
		default: // not an escape: kept as written
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func runTranscript(t *testing.T, file string) {
	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")

	backend := &testBackend{}
	srv := &Server{Domain: "mx.test", Backend: backend, CommandTimeout: 10 * time.Second}
	var clientTLS *tls.Config
	for _, line := range lines {
		opts, ok := strings.CutPrefix(line, "# options:")
		if !ok {
			continue
		}
		for _, o := range strings.Fields(opts) {
			key, val, _ := strings.Cut(o, "=")
			n, _ := strconv.Atoi(val)
			switch key {
			case "lmtp":
				srv.LMTP = true
			case "tls":
				pair, err := testcert.New()
				require.NoError(t, err)
				srv.TLSConfig = pair.ServerConfig()
				clientTLS = pair.ClientConfig()
			case "insecure-auth":
				srv.AllowInsecureAuth = true
			case "auth-required":
				srv.AuthRequired = true
			case "bare-newlines":
				srv.AllowBareNewlines = true
			case "maxrcpt":
				srv.MaxRecipients = n
			case "maxsize":
				srv.MaxMessageBytes = int64(n)
			case "maxline":
				srv.MaxLineLength = n
			case "maxtextline":
				srv.MaxTextLineLength = n
			case "maxerrors":
				srv.MaxErrors = n
			case "timeout":
				srv.CommandTimeout = time.Duration(n) * time.Millisecond
				srv.DataTimeout = srv.CommandTimeout
			default:
				t.Fatalf("unknown option %q", o)
			}
		}
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	nc, err := net.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	defer nc.Close()
	var conn net.Conn = nc
	br := bufio.NewReader(conn)
	conn.SetDeadline(time.Now().Add(20 * time.Second))

	for i, line := range lines {
		where := file + ":" + strconv.Itoa(i+1)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case line == "C: <close>":
			conn.Close()
		case line == "C:" || strings.HasPrefix(line, "C: "):
			text := ""
			if len(line) > 3 {
				text = line[3:]
			}
			_, err := conn.Write([]byte(unescape(text) + "\r\n"))
			require.NoError(t, err, where)
		case strings.HasPrefix(line, "C+ "):
			_, err := conn.Write([]byte(unescape(line[3:])))
			require.NoError(t, err, where)
		case strings.HasPrefix(line, "C! "):
			_, err := conn.Write([]byte(unescape(line[3:]) + "\r\n"))
			require.NoError(t, err, where)
			got, err := br.ReadString('\n')
			require.NoError(t, err, where)
			require.Equal(t, "220 2.0.0 Ready to start TLS\r\n", got, where)
			require.Zero(t, br.Buffered(), where)
			tc := tls.Client(nc, clientTLS)
			require.NoError(t, tc.Handshake(), where)
			conn = tc
			br = bufio.NewReader(conn)
		case line == "S: <closed>":
			got, err := br.ReadString('\n')
			require.Error(t, err, "%s: expected close, got %q", where, got)
		case strings.HasPrefix(line, "S: "):
			got, err := br.ReadString('\n')
			require.NoError(t, err, where)
			require.Equal(t, line[3:], strings.TrimSuffix(got, "\r\n"), where)
		case strings.HasPrefix(line, "= "):
			checkExpectation(t, backend, line[2:], where)
		default:
			t.Fatalf("%s: cannot read %q", where, line)
		}
	}
}

func checkExpectation(t *testing.T, b *testBackend, exp, where string) {
	key, val, _ := strings.Cut(exp, " ")
	// Deliveries finish before the reply is written; give the backend
	// goroutine no excuse by reading under its lock.
	msgs := b.Messages()
	if key == "messages" {
		n, err := strconv.Atoi(val)
		require.NoError(t, err, where)
		require.Len(t, msgs, n, where)
		return
	}
	require.NotEmpty(t, msgs, where)
	last := msgs[len(msgs)-1]
	switch key {
	case "data":
		require.Equal(t, unescape(val), last.Data, where)
	case "from":
		require.Equal(t, val, last.From, where)
	case "to":
		require.Equal(t, val, strings.Join(last.To, ","), where)
	case "identity":
		require.Equal(t, val, last.Identity, where)
	case "tls":
		require.Equal(t, val == "true", last.TLS, where)
	case "protocol":
		require.Equal(t, val, last.Protocol, where)
	case "body":
		require.Equal(t, val, string(last.MailOpts.Body), where)
	default:
		t.Fatalf("%s: unknown expectation %q", where, key)
	}
}
