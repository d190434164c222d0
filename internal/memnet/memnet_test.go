package memnet

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/testcert"
	"github.com/stretchr/testify/require"
)

// A half-closed end still reads, and its peer reads what was sent, then
// EOF, as with TCP's FIN.
func TestCloseWriteHalfCloses(t *testing.T) {
	client, server := Pipe()
	_, err := client.Write([]byte("hello"))
	require.NoError(t, err)
	require.NoError(t, client.CloseWrite())
	_, err = client.Write([]byte("x"))
	require.ErrorIs(t, err, net.ErrClosed)
	got, err := io.ReadAll(server)
	require.NoError(t, err)
	require.Equal(t, "hello", string(got))
	_, err = server.Write([]byte("bye"))
	require.NoError(t, err)
	require.NoError(t, server.Close())
	got, err = io.ReadAll(client)
	require.NoError(t, err)
	require.Equal(t, "bye", string(got))
}

// Writes to a closed peer fail as a reset would, and a closed end refuses
// its own reads and writes.
func TestCloseFailsBothWays(t *testing.T) {
	client, server := Pipe()
	require.NoError(t, server.Close())
	_, err := client.Write([]byte("x"))
	require.ErrorIs(t, err, io.ErrClosedPipe)
	_, err = server.Read(make([]byte, 1))
	require.ErrorIs(t, err, net.ErrClosed)
}

// A blocked Read returns a timeout once its deadline passes, and a
// deadline in the past fails it at once; Write blocks at BufferSize and
// times out the same way.
func TestDeadlines(t *testing.T) {
	client, server := Pipe()
	require.NoError(t, server.SetReadDeadline(time.Now().Add(20*time.Millisecond)))
	_, err := server.Read(make([]byte, 1))
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	var ne net.Error
	require.True(t, errors.As(err, &ne) && ne.Timeout())

	require.NoError(t, client.SetWriteDeadline(time.Now().Add(20*time.Millisecond)))
	n, err := client.Write(make([]byte, BufferSize+10))
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.Equal(t, BufferSize, n)
	require.NoError(t, server.SetReadDeadline(time.Time{}))
	got, err := server.Read(make([]byte, 2*BufferSize))
	require.NoError(t, err)
	require.Equal(t, BufferSize, got)
}

// Quiet fires only once both ends wait in Read with nothing to read.
func TestQuiet(t *testing.T) {
	client, server := Pipe()
	q := client.Quiet()
	go func() {
		buf := make([]byte, 10)
		n, _ := server.Read(buf) // "ping"
		server.Write(buf[:n])
		server.Read(buf) // waits
	}()
	go func() {
		buf := make([]byte, 10)
		client.Write([]byte("ping"))
		client.Read(buf) // the echo
		client.Read(buf) // waits
	}()
	select {
	case <-q:
	case <-time.After(5 * time.Second):
		t.Fatal("never quiet")
	}
	client.Close()
	server.Close()
}

// An end that waits in Read but has data to read was woken and has not
// run yet: the pair is not quiet, or a driver would write before the
// reader saw the reply (the race the first version of checkQuiet lost).
func TestQuietNotWithDataPending(t *testing.T) {
	client, _ := Pipe()
	p := client.p
	q := client.Quiet()
	p.mu.Lock()
	p.ends[0].waiting, p.ends[1].waiting = true, true
	p.sent[1] = []byte("go\n")
	p.checkQuiet()
	p.mu.Unlock()
	select {
	case <-q:
		t.Fatal("quiet with a reply unread")
	default:
	}
	p.mu.Lock()
	p.sent[1] = nil
	p.checkQuiet()
	p.mu.Unlock()
	select {
	case <-q:
	default:
		t.Fatal("not quiet once both wait with nothing to read")
	}
}

// Listener hands out its connections once, then fails Accept after Close.
func TestListener(t *testing.T) {
	_, server := Pipe()
	l := Listen(server)
	c, err := l.Accept()
	require.NoError(t, err)
	require.Equal(t, "server", c.LocalAddr().String())
	go l.Close()
	_, err = l.Accept()
	require.ErrorIs(t, err, net.ErrClosed)
}

// echoServer answers each line with "ok <line>", starts TLS after
// "STARTTLS" ("go" first) and ends at EOF.
func echoServer(nc net.Conn, cfg *tls.Config) {
	defer nc.Close()
	var conn net.Conn = nc
	br := bufio.NewReader(conn)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSpace(line)
		if line == "STARTTLS" {
			io.WriteString(conn, "go\n")
			tc := tls.Server(nc, cfg)
			if tc.Handshake() != nil {
				return
			}
			conn, br = tc, bufio.NewReader(tc)
			continue
		}
		io.WriteString(conn, "ok "+line+"\n")
	}
}

// Run pipelines each segment after the server answered the one before,
// upgrades to TLS when Read asks, and ends once the server closes.
func TestScriptRun(t *testing.T) {
	pair, err := testcert.New()
	require.NoError(t, err)
	client, server := Pipe()
	go echoServer(server, pair.ServerConfig())
	var got []string
	s := Script{
		Segments: [][]byte{[]byte("a\nb\nSTARTTLS\n"), []byte("c\n")},
		TLS:      pair.ClientConfig(),
		Timeout:  5 * time.Second,
		Read: func(r io.Reader) (bool, error) {
			br := bufio.NewReader(r)
			for {
				line, err := br.ReadString('\n')
				if err == io.EOF {
					return false, nil
				}
				if err != nil {
					return false, err
				}
				got = append(got, strings.TrimSpace(line))
				if line == "go\n" {
					return true, nil
				}
			}
		},
	}
	require.NoError(t, s.Run(client))
	require.Equal(t, []string{"ok a", "ok b", "go", "ok c"}, got)
}

// Run gives up with ErrTimeout on a server that never answers nor closes.
func TestScriptTimeout(t *testing.T) {
	client, server := Pipe()
	go io.Copy(io.Discard, server) // reads to EOF, never closes
	s := Script{Segments: [][]byte{[]byte("x")}, Timeout: 50 * time.Millisecond,
		Read: func(r io.Reader) (bool, error) { _, err := io.Copy(io.Discard, r); return false, err }}
	require.ErrorIs(t, s.Run(client), ErrTimeout)
}
