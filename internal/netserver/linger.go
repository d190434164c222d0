package netserver

import (
	"crypto/tls"
	"io"
	"net"
	"time"
)

// Bounds of a lingering close: how long the client is given to read the
// final reply and hang up, and how much of its input is drained meanwhile.
const (
	LingerTimeout = 2 * time.Second
	LingerBytes   = 1 << 20
)

// CloseLingering ends a session the server decided to end (QUIT done, a
// limit hit, too many errors, a timeout) so that the client can still read
// the final reply (BYE, 421, -ERR). Closing a socket whose receive buffer
// holds unread input makes the kernel answer with a reset, and a reset can
// discard the reply before the client read it: so the write side is shut
// first (a TLS close_notify, then a TCP FIN), the input is drained until
// the client closes, LingerTimeout passes or LingerBytes were read, and
// only then is the connection closed. During shutdown it closes at once,
// and Shutdown or Close ends a drain under way.
func (d *Deadlines) CloseLingering() {
	d.connMu.Lock()
	conn := d.conn
	d.connMu.Unlock()
	if d.shuttingDown() {
		d.CloseNow()
		return
	}
	// Idle, so that Shutdown's InterruptIfIdle cuts the drain short.
	d.SetIdle(true)
	if halfCloseWrite(conn) {
		_ = conn.SetReadDeadline(time.Now().Add(LingerTimeout))
		_, _ = io.CopyN(io.Discard, conn, LingerBytes)
	}
	d.CloseNow()
}

// halfCloseWrite shuts the write side of conn: a TLS close_notify, then
// the TCP FIN of the connection under it. Wrappers that offer NetConn (as
// tls.Conn does) are looked through. It reports false when no layer can
// half-close, and the caller then closes at once.
func halfCloseWrite(conn net.Conn) bool {
	for {
		switch c := conn.(type) {
		case *tls.Conn:
			_ = c.CloseWrite() // an error means no handshake yet
		case interface{ CloseWrite() error }:
			return c.CloseWrite() == nil
		}
		u, ok := conn.(interface{ NetConn() net.Conn })
		if !ok {
			return false
		}
		conn = u.NetConn()
	}
}
