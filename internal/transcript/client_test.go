package transcript

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientScript is the server side that the fake clients below talk to.
const clientScript = `# a client transcript: the runner plays S
S: * hi
C: LOGIN ${user}
S: OK ${user}
S+ partial
C+ raw
C: STARTTLS
S: OK go
C: <starttls>
C~ SECRET \d+
S: <closed>
`

// fakeClient plays a well-behaved client for clientScript, up to step
// steps of it (all when step is large), then closes.
func fakeClient(t *testing.T, nc net.Conn, cfg *tls.Config, login string, steps int) error {
	defer nc.Close()
	br := bufio.NewReader(nc)
	actions := []func() error{
		func() error { return expectLine(br, "* hi") },
		func() error { _, err := io.WriteString(nc, "LOGIN "+login+"\r\n"); return err },
		func() error { return expectLine(br, "OK "+login) },
		func() error {
			b := make([]byte, 7)
			if _, err := io.ReadFull(br, b); err != nil {
				return err
			}
			return errIf(string(b) != "partial", string(b))
		},
		func() error { _, err := io.WriteString(nc, "raw"); return err },
		func() error { _, err := io.WriteString(nc, "STARTTLS\r\n"); return err },
		func() error { return expectLine(br, "OK go") },
		func() error {
			tc := tls.Client(nc, cfg)
			nc, br = tc, bufio.NewReader(tc)
			return tc.Handshake()
		},
		func() error { _, err := io.WriteString(nc, "SECRET 42\r\n"); return err },
		func() error { _, err := br.ReadByte(); return errIf(err == nil, "more data") },
	}
	for _, act := range actions[:min(steps, len(actions))] {
		if err := act(); err != nil {
			return err
		}
	}
	return nil
}

func expectLine(br *bufio.Reader, want string) error {
	got, err := br.ReadString('\n')
	if err != nil {
		return err
	}
	return errIf(got != want+"\r\n", got)
}

func errIf(bad bool, what string) error {
	if bad {
		return fmt.Errorf("fake client: unexpected %q", what)
	}
	return nil
}

// playClient runs clientScript's server side against fakeClient and
// returns both sides' errors.
func playClient(t *testing.T, script, login string, steps int) (runner, client error) {
	pair, err := testcert.New()
	require.NoError(t, err)
	sc, err := Parse("client.txt", []byte(script))
	require.NoError(t, err)
	a, b := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- fakeClient(t, b, pair.ClientConfig(), login, steps) }()
	r := Client{TLS: pair.ServerConfig(), Deadline: 5 * time.Second,
		Placeholders: Placeholders{Patterns: map[string]string{"user": `[a-z]+`}}}
	runner = r.Serve(a, sc)
	return runner, <-done
}

// TestClientServe plays the server's side, with a capture, raw lines,
// STARTTLS and the close, against a client that does what it should.
func TestClientServe(t *testing.T) {
	runner, client := playClient(t, clientScript, "bob", 100)
	require.NoError(t, runner)
	require.NoError(t, client)
}

// TestClientReportsFileAndLine: what the client sends wrong, or too
// early an end, fails at the line that expected otherwise.
func TestClientReportsFileAndLine(t *testing.T) {
	tests := []struct {
		name, login string
		steps       int
		want        string
	}{
		{"pattern of a capture", "Bob", 100, `client.txt:3: C: want "LOGIN ${user}", got "LOGIN Bob"`},
		{"closed before a line", "bob", 1, `client.txt:3: C: want "LOGIN ${user}": EOF`},
		{"closed before raw", "bob", 4, `client.txt:6: C+ "" and then EOF`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runner, _ := playClient(t, clientScript, tt.login, tt.steps)
			require.Error(t, runner)
			assert.Contains(t, runner.Error(), tt.want)
		})
	}
}

// TestClientRefusesServerOnlyLines: a client transcript has one
// connection and no checks; the runner says so before it plays.
func TestClientRefusesServerOnlyLines(t *testing.T) {
	for text, want := range map[string]string{
		"S: hi\nC2: X\n": "client.txt:2: C2: a client transcript has one connection",
		"S: hi\n= n 1\n": "client.txt:2: = a check line, but this transcript has no checks",
		"S~ hi\n":        "client.txt:1: S~ a pattern on the side the runner plays: it cannot be sent",
	} {
		sc, err := Parse("client.txt", []byte(text))
		require.NoError(t, err)
		a, b := net.Pipe()
		defer b.Close()
		assert.EqualError(t, Client{}.Serve(a, sc), want)
	}
}

// TestClientPlay uses Play as a package's client test does: the test
// drives its side, and Play's cleanup finds the transcript finished.
func TestClientPlay(t *testing.T) {
	file := writeTranscript(t, "play.txt", "S: * hi\nC: A1 NOOP\nS: A1 OK\n")
	nc := Client{}.Play(t, file)
	br := bufio.NewReader(nc)
	require.NoError(t, expectLine(br, "* hi"))
	_, err := io.WriteString(nc, "A1 NOOP\r\n")
	require.NoError(t, err)
	require.NoError(t, expectLine(br, "A1 OK"))
	_, err = br.ReadByte()
	require.ErrorIs(t, err, io.EOF, "the runner closes its end after the last line")
}

// TestClientExpectsClose: "C: <closed>" in a client transcript requires
// that the client closed the connection.
func TestClientExpectsClose(t *testing.T) {
	sc, err := Parse("close.txt", []byte("S: BYE\nC: <closed>\n"))
	require.NoError(t, err)
	for _, closes := range []bool{true, false} {
		a, b := net.Pipe()
		go func() {
			expectLine(bufio.NewReader(b), "BYE")
			if !closes {
				io.WriteString(b, "more\r\n")
			}
			b.Close()
		}()
		err := Client{}.Serve(a, sc)
		if closes {
			assert.NoError(t, err)
		} else {
			assert.EqualError(t, err, `close.txt:2: C: want the connection closed, got "more\r\n"`)
		}
	}
}
