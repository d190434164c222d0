package netserver

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// lineOn returns a Line on one end of a pipe, with Debug into dbg, and
// the other end; bad collects what OnBadLine was told.
func lineOn(t *testing.T, dbg io.Writer, bad *[]BadLine) (*Line, net.Conn) {
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	base := &Base{}
	base.Setup(func() Settings {
		return Settings{Name: "test", Domain: "mx.test", Debug: dbg,
			Limits: Limits{CommandTimeout: time.Minute, WriteTimeout: time.Minute, TLSHandshakeTimeout: time.Second}}
	})
	l := base.NewLine(a, func() bool { return false }, false)
	l.BR = bufio.NewReaderSize(l.IO, 16)
	l.BW = bufio.NewWriter(l.IO)
	l.OnBadLine = func(b BadLine) { *bad = append(*bad, b) }
	return l, b
}

// TestLine_ReadLine_LimitRFC5321_4_5_3_1_4: a line of max octets, line
// end included, is read; one octet more is read to its end and refused
// with LineTooLong, also when it overflows the buffer; a NUL octet is
// refused with LineWithNUL; the session stays in step for the next
// line.
func TestLine_ReadLine_LimitRFC5321_4_5_3_1_4(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     string
		bad      BadLine
	}{
		{"at the limit", "abcdefgh\r\n", "abcdefgh", 0},
		{"bare LF ends a line", "abcdefghi\n", "abcdefghi", 0},
		{"one past the limit", "abcdefghi\r\n", "", LineTooLong},
		{"past the buffer", strings.Repeat("x", 40) + "\r\n", "", LineTooLong},
		{"NUL", "ab\x00c\r\n", "", LineWithNUL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var bad []BadLine
			var dbg bytes.Buffer
			l, peer := lineOn(t, &dbg, &bad)
			go io.WriteString(peer, tc.in+"next\r\n")
			line, err := l.ReadLine(10)
			require.NoError(t, err)
			require.Equal(t, tc.want, string(line))
			if tc.bad != 0 {
				require.Nil(t, line)
				require.Equal(t, []BadLine{tc.bad}, bad)
				require.Contains(t, dbg.String(), "C: [line ")
			} else {
				require.Empty(t, bad)
			}
			line, err = l.ReadLine(10)
			require.NoError(t, err)
			require.Equal(t, "next", string(line), "in step")
		})
	}
}

// tcpPair returns both ends of a loopback TCP connection, which can be
// half-closed.
func tcpPair(t *testing.T) (server, client *net.TCPConn) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	s, err := l.Accept()
	require.NoError(t, err)
	t.Cleanup(func() { c.Close(); s.Close() })
	return s.(*net.TCPConn), c.(*net.TCPConn)
}

// TestLine_ReadFailedFlushesReplies_RFC5321_4_1_1_4: a reply queued
// while more input was buffered (pipelining) still goes out when the
// client then ends its input in the middle of a line: it is owed the
// answer (the 250 for a message) though the session ends.
func TestLine_ReadFailedFlushesReplies_RFC5321_4_1_1_4(t *testing.T) {
	var bad []BadLine
	l, _ := lineOn(t, nil, &bad)
	server, client := tcpPair(t)
	l.IO.SetConn(server)
	l.BR.Reset(l.IO)
	l.BW.Reset(l.IO)
	client.Write([]byte("NOOP\r\nQU"))
	client.CloseWrite()
	line, err := l.ReadCommand(512)
	require.NoError(t, err)
	require.Equal(t, "NOOP", string(line))
	require.Positive(t, l.BR.Buffered(), "the partial line is buffered: no flush before the read")
	l.BW.WriteString("250 2.0.0 OK\r\n")
	_, err = l.ReadCommand(512)
	require.ErrorIs(t, err, io.EOF)
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	reply, err := bufio.NewReader(client).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "250 2.0.0 OK\r\n", reply)
}

// TestLine_IdleBeforeFlush: a session counts as waiting for a command
// by the time its reply goes out, since its client may act on it at
// once (a full server must be able to evict it then).
func TestLine_IdleBeforeFlush(t *testing.T) {
	var bad []BadLine
	l, peer := lineOn(t, nil, &bad)
	idleAtFlush := false
	l.Flush = func() error {
		idleAtFlush = l.IO.Idle()
		return l.BW.Flush()
	}
	l.BW.WriteString("+OK\r\n")
	go func() {
		bufio.NewReader(peer).ReadString('\n')
		l.IO.EvictIfIdle()
	}()
	_, err := l.ReadCommand(512)
	require.True(t, idleAtFlush)
	require.ErrorIs(t, err, ErrEvicted)
	require.Equal(t, EndEvicted, l.Ending(err))
}

// TestLine_Ending: each read error maps to the goodbye its protocol
// says; the login timeout only while a login deadline has passed.
func TestLine_Ending(t *testing.T) {
	var bad []BadLine
	l, _ := lineOn(t, nil, &bad)
	require.Equal(t, EndShutdown, l.Ending(ErrShutdown))
	require.Equal(t, EndEvicted, l.Ending(ErrEvicted))
	require.Equal(t, EndTimeout, l.Ending(os.ErrDeadlineExceeded))
	require.Equal(t, EndQuiet, l.Ending(io.EOF))
	require.Equal(t, EndQuiet, l.Ending(net.ErrClosed))
	l.IO.SetLoginDeadline(time.Now().Add(-time.Second))
	require.Equal(t, EndLoginTimeout, l.Ending(os.ErrDeadlineExceeded))
}

// TestLine_FailedLoginEnds: a failed login's wait cut short by Close
// reports net.ErrClosed, by the login deadline a timeout that Ending
// calls the login timeout; with the delay off it returns at once.
func TestLine_FailedLoginEnds(t *testing.T) {
	var bad []BadLine
	l, _ := lineOn(t, nil, &bad)
	require.NoError(t, l.FailedLogin(), "no delay configured")

	l.base.delay = &FailureDelay{Base: time.Hour, Max: time.Hour, Reset: time.Hour}
	l.IO.SetLoginDeadline(time.Now().Add(10 * time.Millisecond))
	err := l.FailedLogin()
	require.Equal(t, EndLoginTimeout, l.Ending(err))

	l.IO.SetLoginDeadline(time.Time{})
	done := make(chan error, 1)
	go func() { done <- l.FailedLogin() }()
	time.Sleep(10 * time.Millisecond)
	l.IO.CloseNow()
	select {
	case err := <-done:
		require.ErrorIs(t, err, net.ErrClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("the pause did not end")
	}
}

// TestDebugf_LinesWhole: lines of many sessions written at once arrive
// whole, each after its client's address.
func TestDebugf_LinesWhole(t *testing.T) {
	var buf bytes.Buffer // written under Debugf's lock, read after Wait
	var bad []BadLine
	l, _ := lineOn(t, &buf, &bad)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				l.Debugf("C: %s", "NOOP")
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	require.Len(t, lines, 400)
	for _, line := range lines {
		require.True(t, strings.HasSuffix(line, " C: NOOP"), "%q", line)
	}
}

// TestOrAndLimit: the two ways a limit field resolves.
func TestOrAndLimit(t *testing.T) {
	for _, tc := range []struct{ v, or, limit int }{
		{0, 7, 7},
		{3, 3, 3},
		{-1, 7, 0},
	} {
		require.Equal(t, tc.or, Or(tc.v, 7), "Or(%d)", tc.v)
		require.Equal(t, tc.limit, Limit(tc.v, 7), "Limit(%d)", tc.v)
	}
	require.Equal(t, time.Second, Or(time.Duration(0), time.Second))
	require.Equal(t, int64(0), Limit(int64(-5), 9))
}

// TestBase_Setup: the settings are resolved once; the host name stands
// in for an empty Domain; a zero AuthFailureDelay means no delay.
func TestBase_Setup(t *testing.T) {
	var b Base
	calls := 0
	resolve := func() Settings {
		calls++
		return Settings{Name: "x", Limits: Limits{AuthFailureDelay: time.Second, MaxAuthFailureDelay: 2 * time.Second}}
	}
	b.Setup(resolve)
	b.Setup(resolve)
	require.Equal(t, 1, calls)
	require.NotEmpty(t, b.Domain())
	require.NotNil(t, b.Logger())
	require.NotNil(t, b.FailureDelay())
	require.Equal(t, time.Second, b.FailureDelay().Base)

	var off Base
	off.Setup(func() Settings { return Settings{Domain: "mx.test"} })
	require.Nil(t, off.FailureDelay())
	require.Equal(t, "mx.test", off.Domain())
}
