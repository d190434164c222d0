package testutil

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScriptConn: what the script holds is read, then io.EOF; writes are
// taken whole and never read back; Close and the deadlines succeed; both
// ends are loopback.
func TestScriptConn(t *testing.T) {
	var c net.Conn = &ScriptConn{R: strings.NewReader("+OK hi\r\n")}
	n, err := c.Write([]byte("CAPA\r\n"))
	require.NoError(t, err)
	assert.Equal(t, 6, n)
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	assert.Equal(t, "+OK hi\r\n", string(got), "the write is not echoed")
	_, err = c.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF)
	assert.NoError(t, c.SetDeadline(time.Now()))
	assert.NoError(t, c.SetReadDeadline(time.Now()))
	assert.NoError(t, c.SetWriteDeadline(time.Now()))
	assert.NoError(t, c.Close())
	for _, a := range []net.Addr{c.LocalAddr(), c.RemoteAddr()} {
		tcp, ok := a.(*net.TCPAddr)
		require.True(t, ok, "%T", a)
		assert.True(t, tcp.IP.IsLoopback(), "%v", a)
	}
}

// TestServeOnce: the one connection reaches serve and is closed once
// serve returns; a second dial is refused.
func TestServeOnce(t *testing.T) {
	addr := ServeOnce(t, func(nc net.Conn) {
		line, _ := bufio.NewReader(nc).ReadString('\n')
		io.WriteString(nc, "echo "+line)
	})
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(nc, "hello\r\n")
	got, err := io.ReadAll(nc)
	require.NoError(t, err, "the server closed the connection after serve")
	assert.Equal(t, "echo hello\r\n", string(got))
	_, err = net.Dial("tcp", addr)
	assert.Error(t, err, "no second connection")
}

// TestServeOnceEndsWithTest: a serve that would read forever returns
// when its test ends, before the test's end returns; a ServeOnce that
// nobody dialled ends too.
func TestServeOnceEndsWithTest(t *testing.T) {
	returned := make(chan struct{})
	var client net.Conn // left open until the end, so only ServeOnce ends serve
	t.Run("inner", func(t *testing.T) {
		addr := ServeOnce(t, func(nc net.Conn) {
			defer close(returned)
			io.WriteString(nc, "ready\r\n")
			io.Copy(io.Discard, nc)
			time.Sleep(50 * time.Millisecond) // slow to return: the test's end must wait
		})
		var err error
		client, err = net.Dial("tcp", addr)
		require.NoError(t, err)
		line, err := bufio.NewReader(client).ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, "ready\r\n", line)
		ServeOnce(t, func(net.Conn) { t.Error("nobody dialled") })
	})
	select {
	case <-returned:
	default:
		t.Fatal("serve still running after its test ended")
	}
	if client != nil {
		client.Close()
	}
}
