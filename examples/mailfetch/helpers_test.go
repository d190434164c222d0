package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mailwire/mailwire/internal/testutil"
	"github.com/stretchr/testify/require"
)

// testCtx bounds a test's network calls so that a hung peer fails the
// test; the helper is shared by every package's tests.
var testCtx = testutil.Context

// testMessages cover what RETR must carry unchanged (RFC 1939 section 3):
// lines starting with ".", a line that is only ".", 8-bit text, LF line
// ends as a delivery agent might hand them over, and a message much larger
// than any buffer on the way.
func testMessages() [][]byte {
	var big bytes.Buffer
	big.WriteString("Subject: big\r\n\r\n")
	for i := 0; big.Len() < 300<<10; i++ {
		big.WriteString(strings.Repeat("0123456789", 7) + "\r\n")
		if i%100 == 0 {
			big.WriteString(".dot line\r\n")
		}
	}
	return [][]byte{
		[]byte("From: a@example.test\r\nSubject: one\r\n\r\nHello.\r\n"),
		[]byte("Subject: dots\r\n\r\n.leading\r\n..two\r\n.\r\nend\r\n"),
		[]byte("Subject: =?utf-8?q?gr=C3=BC=C3=9Fe?=\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße, \xff\xfe raw octets\r\n"),
		[]byte("Subject: lf only\n\nwritten with LF\n"),
		big.Bytes(),
	}
}

// asStored is what a message delivered to pop3mem looks like in the
// Maildir: pop3mem stores CRLF line ends and mailfetch writes LF, so
// CRLF and bare LF deliveries both end up with LF.
func asStored(msg []byte) string {
	return strings.ReplaceAll(strings.ReplaceAll(string(msg), "\r\n", "\n"), "\r", "\n")
}

func storedAll(msgs [][]byte) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = asStored(m)
	}
	return out
}

// files returns the contents of the files in dir/sub.
func files(t *testing.T, dir, sub string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(dir, sub))
	require.NoError(t, err)
	out := []string{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, sub, e.Name()))
		require.NoError(t, err)
		out = append(out, string(b))
	}
	return out
}

// cutProxy forwards connections to target and drops each one as soon as
// the server has sent marker: a server that dies in the middle of a
// message. It returns the address to dial.
func cutProxy(t *testing.T, target string, marker []byte) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	track := func(c net.Conn) {
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
	}
	wg.Go(func() {
		for {
			client, err := l.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			track(client)
			track(server)
			wg.Go(func() { io.Copy(server, client) })
			wg.Go(func() {
				defer client.Close()
				defer server.Close()
				forwardUntil(client, server, marker)
			})
		}
	})
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return l.Addr().String()
}

// forwardUntil copies src to dst up to and including the first marker.
func forwardUntil(dst io.Writer, src io.Reader, marker []byte) {
	var tail []byte // the last len(marker)-1 octets forwarded
	buf := make([]byte, 4096)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			seen := append(tail, buf[:n]...)
			if i := bytes.Index(seen, marker); i >= 0 {
				end := i + len(marker) - len(tail)
				dst.Write(buf[:end])
				return
			}
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
			if len(seen) >= len(marker) {
				seen = seen[len(seen)-len(marker)+1:]
			}
			tail = append([]byte(nil), seen...)
		}
		if err != nil {
			return
		}
	}
}
