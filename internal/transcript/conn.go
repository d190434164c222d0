package transcript

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// DefaultDeadline bounds every connection of a transcript (Server.Deadline
// and Client.Deadline change it), so that a peer that stops talking fails
// the file instead of hanging the test. It is far above what any
// transcript needs (the slowest waits for a 300 ms server timeout) on a
// loaded CI machine.
const DefaultDeadline = 20 * time.Second

// MaxLine bounds a line the runner reads: a peer that never sends CRLF
// fails the file instead of growing the runner's memory.
const MaxLine = 1 << 20

// conn is one connection of a transcript, from the runner's side.
type conn struct {
	nc     net.Conn // the connection, or TLS over it after <starttls>
	br     *bufio.Reader
	vars   map[string]string // what placeholders matched on it
	closed bool
}

func newConn(nc net.Conn, deadline time.Duration) *conn {
	nc.SetDeadline(time.Now().Add(deadline))
	return &conn{nc: nc, br: bufio.NewReader(nc), vars: map[string]string{}}
}

func (c *conn) write(s string) error {
	_, err := io.WriteString(c.nc, s)
	return err
}

// readLine reads one line and returns it without its CRLF.
func (c *conn) readLine() (string, error) {
	var line []byte
	for {
		frag, err := c.br.ReadSlice('\n')
		line = append(line, frag...)
		if len(line) > MaxLine {
			return "", fmt.Errorf("a line longer than %d octets", MaxLine)
		}
		switch {
		case err == nil:
			if !strings.HasSuffix(string(line), "\r\n") {
				return "", fmt.Errorf("line %q ends without CR", line)
			}
			return string(line[:len(line)-2]), nil
		case errors.Is(err, bufio.ErrBufferFull):
		case len(line) > 0:
			return "", fmt.Errorf("%q and then %w", line, err)
		default:
			return "", err
		}
	}
}

// readRaw reads exactly len(want) octets.
func (c *conn) readRaw(n int) (string, error) {
	b := make([]byte, n)
	k, err := io.ReadFull(c.br, b)
	if err != nil {
		return "", fmt.Errorf("%q and then %w", b[:k], err)
	}
	return string(b), nil
}

// expectClose requires that the peer closed the connection with no octet
// left unread.
func (c *conn) expectClose() error {
	b, err := c.br.ReadByte()
	if err == nil {
		rest, _ := c.br.Peek(c.br.Buffered())
		return fmt.Errorf("want the connection closed, got %q", append([]byte{b}, rest...))
	}
	if isTimeout(err) {
		return fmt.Errorf("want the connection closed, still open at its deadline: %w", err)
	}
	return nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (c *conn) close() {
	c.closed = true
	c.nc.Close()
}

// startTLS starts TLS over the connection, as the client when asClient,
// after checking that nothing arrived past the STARTTLS reply (RFC 3207
// section 4; RFC 2595 section 3.1; RFC 3501 section 6.2.1).
func (c *conn) startTLS(asClient bool, cfg *tls.Config) error {
	if cfg == nil {
		return errors.New("TLS is not configured for this transcript")
	}
	if n := c.br.Buffered(); n > 0 {
		rest, _ := c.br.Peek(n)
		return fmt.Errorf("%q arrived in the clear before TLS", rest)
	}
	var tc *tls.Conn
	if asClient {
		tc = tls.Client(c.nc, cfg)
	} else {
		tc = tls.Server(c.nc, cfg)
	}
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("TLS handshake: %w", err)
	}
	c.nc, c.br = tc, bufio.NewReader(tc)
	return nil
}
